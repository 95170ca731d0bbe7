import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  createAwsClients,
  destroyAwsClients,
  spawnLocalStack,
  startEmulators,
} from '../src/index.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
}

/** Pids of this process's children that serve a local stack. */
function stackChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && commandLine(pid).includes('serveLocalStack');
      } catch {
        return false;
      }
    });
}

describe('startEmulators', () => {
  it('starts only the services asked for', async () => {
    const emulators = await startEmulators(['kinesis']);
    try {
      expect(Object.keys(emulators.endpoints)).toEqual(['kinesis']);
      const clients = createAwsClients({
        region: 'us-east-1',
        endpoints: { kinesis: emulators.endpoints.kinesis! },
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      });
      try {
        const { StreamNames } = await clients.kinesis.send(new ListStreamsCommand({}));
        expect(StreamNames).toEqual([]);
      } finally {
        destroyAwsClients(clients);
      }
    } finally {
      await emulators.stop();
    }
  });

  it('rejects an unknown service with KSE_CONFIG_INVALID naming the setting', async () => {
    await expect(startEmulators(['sqs' as 'kinesis'])).rejects.toMatchObject({
      code: 'KSE_CONFIG_INVALID',
      setting: 'services',
    });
  });
});

describe('spawnLocalStack({ split: true })', () => {
  it('serves Kinesis from one child and DynamoDB + S3 from another, and stops both', async () => {
    const stack = await spawnLocalStack({ split: true, nodeFlags: ['--max-old-space-size=300'] });
    const clients = createAwsClients(stack.config);
    try {
      expect(stack.pids).toHaveLength(2);
      expect(new Set(stack.pids).size).toBe(2);
      expect(stack.pid).toBe(stack.pids[0]);
      const kinesisPort = new URL(stack.endpoints.kinesis).port;
      const dynamoPort = new URL(stack.endpoints.dynamodb).port;
      expect(kinesisPort).not.toBe(dynamoPort);
      // The extra flags reach both children.
      for (const pid of stack.pids) expect(commandLine(pid)).toContain('--max-old-space-size=300');
      const [streams, tables, buckets] = await Promise.all([
        clients.kinesis.send(new ListStreamsCommand({})),
        clients.dynamodb.send(new ListTablesCommand({})),
        clients.s3.send(new ListBucketsCommand({})),
      ]);
      expect(streams.StreamNames).toEqual([]);
      expect(tables.TableNames).toEqual([]);
      expect(buckets.Buckets ?? []).toEqual([]);
    } finally {
      destroyAwsClients(clients);
      await stack.stop();
    }
    expect(stack.pids.map(isAlive)).toEqual([false, false]);
  }, 60_000);

  it('reports a child that is killed (onExit, with its services and signal), not one stop() ends', async () => {
    const stack = await spawnLocalStack({ split: true });
    const exits: unknown[] = [];
    stack.onExit((exit) => exits.push(exit));
    try {
      const kinesisChild = stack.processes.find((p) => p.services.includes('kinesis'))!;
      expect(kinesisChild.services).toEqual(['kinesis']);
      const reported = new Promise((resolve) => stack.onExit(resolve));
      process.kill(kinesisChild.pid, 'SIGKILL');
      await reported;
      expect(exits).toEqual([
        { pid: kinesisChild.pid, services: ['kinesis'], code: null, signal: 'SIGKILL' },
      ]);
      // A child stopped by SIGSTOP never handles SIGTERM: stop() kills it after a grace.
      const other = stack.processes.find((p) => p.services.includes('dynamodb'))!;
      process.kill(other.pid, 'SIGSTOP');
    } finally {
      await stack.stop();
    }
    expect(stack.pids.filter(isAlive)).toEqual([]);
    expect(exits).toHaveLength(1);
  });

  it('stops the child that started when the other fails, and reports the failure', async () => {
    const first = await spawnLocalStack({ split: true });
    try {
      const taken = Number(new URL(first.endpoints.dynamodb).port);
      await expect(
        spawnLocalStack({ split: true, ports: { dynamodb: taken } }),
      ).rejects.toMatchObject({ code: 'KSE_PORT_IN_USE', setting: 'ports.dynamodb' });
      // The Kinesis child of the failed start is gone: only the first stack's remain.
      let others = stackChildren().filter((pid) => !first.pids.includes(pid));
      for (let i = 0; i < 100 && others.length > 0; i += 1) {
        await delay(50);
        others = stackChildren().filter((pid) => !first.pids.includes(pid));
      }
      expect(others).toEqual([]);
      expect(stackChildren().sort()).toEqual([...first.pids].sort());
    } finally {
      await first.stop();
    }
  }, 60_000);
});
