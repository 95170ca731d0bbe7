/**
 * CDK app entry (`npx cdk synth|deploy|destroy`, see cdk.json). Settings are context values:
 * `-c topology=seed|fused -c ordersShards=2 -c enrichedShards=2 -c cdcShards=1
 *  -c billing=on-demand|provisioned -c readCapacity=300 -c writeCapacity=2000 -c stackName=Kse`.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './buildApp.js';

buildApp(new App());
