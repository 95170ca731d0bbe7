import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { LocalStackError } from '@kse/local-stack';
import {
  CliError,
  EXIT_CODES,
  classifyError,
  formatCliError,
} from '../../src/commands/exitCodes.js';

describe('classifyError', () => {
  it("keeps a CliError's code, exit code and hint", () => {
    const error = new CliError('KSE_CONFIRMATION_REQUIRED', 'no terminal', { hint: 'pass --yes' });
    expect(classifyError(error)).toEqual({
      code: 'KSE_CONFIRMATION_REQUIRED',
      exitCode: 2,
      message: 'no terminal',
      hint: 'pass --yes',
    });
  });

  it('gives an error carrying one of the commands’ codes that code’s exit code', () => {
    const error = Object.assign(new Error('table T holds rows'), {
      code: 'KSE_TABLE_NOT_EMPTY',
      hint: 'pass --reset',
    });
    expect(classifyError(error)).toMatchObject({ code: 'KSE_TABLE_NOT_EMPTY', exitCode: 2 });
  });

  it('maps bad configuration to usage (2) and names the setting, without repeating the code', () => {
    const error = new LocalStackError('KSE_CONFIG_INVALID', 'region must be a region name', {
      setting: '--region',
    });
    expect(classifyError(error)).toEqual({
      code: 'KSE_CONFIG_INVALID',
      exitCode: EXIT_CODES.usage,
      message: 'region must be a region name',
      hint: 'check --region',
    });
  });

  it('maps a refused connection to infrastructure (3)', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(classifyError(error)).toMatchObject({ code: 'ECONNREFUSED', exitCode: 3 });
  });

  it('maps an AWS service error (by its $metadata) and missing credentials to 3', () => {
    const service = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(classifyError(service)).toMatchObject({
      code: 'ResourceNotFoundException',
      exitCode: 3,
    });
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(classifyError(credentials)).toMatchObject({
      code: 'CredentialsProviderError',
      exitCode: 3,
      hint: expect.stringContaining('--profile'),
    });
  });

  it("maps the packages' other KSE_ failures to 3 and their aborts to 130", () => {
    expect(classifyError(new LocalStackError('KSE_PORT_IN_USE', 'port 1 is in use'))).toMatchObject(
      { code: 'KSE_PORT_IN_USE', exitCode: 3, message: 'port 1 is in use' },
    );
    const aborted = Object.assign(new Error('aborted'), { code: 'KSE_GENERATOR_ABORTED' });
    expect(classifyError(aborted)).toMatchObject({ code: 'KSE_INTERRUPTED', exitCode: 130 });
  });

  it('classifies a wrapped error by its cause when it says nothing itself', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('mapping failed', { cause });
    expect(classifyError(wrapped)).toMatchObject({
      code: 'ECONNREFUSED',
      exitCode: 3,
      message: 'mapping failed',
    });
  });

  it("keeps a package error's own code and setting over those of its cause (regression)", () => {
    const cause = new LocalStackError('KSE_PORT_IN_USE', 'ports.dynamodb: in use', {
      setting: 'ports.dynamodb',
    });
    const error = new LocalStackError('KSE_PORT_IN_USE', '--dynamodb-port: in use', {
      setting: '--dynamodb-port',
      cause,
    });
    expect(classifyError(error)).toMatchObject({
      code: 'KSE_PORT_IN_USE',
      exitCode: 3,
      message: '--dynamodb-port: in use',
      hint: 'check --dynamodb-port',
    });
  });

  it('calls anything else a bug (1), and commander errors usage (2)', () => {
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({
      code: 'KSE_INTERNAL',
      exitCode: 1,
    });
    expect(
      classifyError(new CommanderError(1, 'commander.unknownOption', "unknown option '--x'")),
    ).toMatchObject({ code: 'KSE_USAGE', exitCode: 2 });
  });
});

describe('formatCliError', () => {
  it('prints one line and a hint, and the stack only with --debug', () => {
    const error = new CliError('KSE_USAGE', '--prefix needs --bucket\nsecond line', {
      hint: 'see kse replay --help',
    });
    const classified = classifyError(error);
    expect(formatCliError('kse replay', classified, error, false)).toEqual([
      'kse replay: KSE_USAGE: --prefix needs --bucket',
      'hint: see kse replay --help',
    ]);
    const debug = formatCliError('kse replay', classified, error, true);
    expect(debug.slice(0, 2)).toEqual(formatCliError('kse replay', classified, error, false));
    expect(debug.some((line) => /^\s+at /.test(line))).toBe(true);
  });

  it('points at --debug when an infrastructure error has no hint of its own', () => {
    const error = Object.assign(new Error('Internal'), {
      name: 'InternalFailure',
      $metadata: {},
    });
    expect(formatCliError('kse verify', classifyError(error), error, false)).toEqual([
      'kse verify: InternalFailure: Internal',
      'hint: run again with --debug for the stack trace',
    ]);
  });
});
