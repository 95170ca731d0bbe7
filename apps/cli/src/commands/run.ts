import type { Command } from 'commander';

/**
 * `kse run`: the whole pipeline on the local stack. Not built yet; until it is, it says
 * so rather than pretend (issue: "`kse run`: the whole pipeline in one command").
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the whole pipeline end to end on the embedded local AWS stack (coming soon)')
    .action(() => {
      console.log(
        [
          'kse run is not implemented yet. It will:',
          '  1. start local Kinesis, DynamoDB and S3 emulators',
          '  2. generate products and orders (deterministic, seeded)',
          '  3. replay the orders into OrdersStream',
          '  4. join orders with their items and products, write OrdersEnriched in DynamoDB',
          '  5. verify every row and print a verdict',
        ].join('\n'),
      );
    });
}
