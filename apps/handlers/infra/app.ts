/**
 * CDK app entry (`npx cdk synth|deploy|destroy`, see cdk.json). Settings are context values:
 * `-c topology=seed|fused -c ordersShards=2 -c enrichedShards=2 -c cdcShards=1
 *  -c billing=on-demand|provisioned -c readCapacity=300 -c writeCapacity=2000 -c stackName=Kse`.
 * The AWS Solutions checks of cdk-nag run on every synthesis.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from './buildApp.js';

const app = new App();
// The AWS Solutions rule pack (cdk-nag) runs on every synth: an unacknowledged finding fails
// `cdk synth` and `cdk deploy`. tests/nag.test.ts runs the same pack in `npm test`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
buildApp(app);
