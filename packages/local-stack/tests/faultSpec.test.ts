import { describe, expect, it } from 'vitest';
import { NO_FAULTS, formatFaultSpec, parseFaultSpec } from '../src/index.js';

describe('parseFaultSpec', () => {
  it('reads every key', () => {
    const spec = parseFaultSpec(
      'throttle=0.05,5xx=0.01,unprocessed=0.1,partial=0.05,expired=0.01,reset=0.01,latency=20ms,stall=2s@30s,seed=7',
    );
    expect(spec).toEqual({
      throttle: 0.05,
      serverError: 0.01,
      unprocessed: 0.1,
      partial: 0.05,
      expired: 0.01,
      reset: 0.01,
      latencyMs: 20,
      stall: { durationMs: 2000, atMs: 30_000 },
      seed: 7,
    });
    expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
  });

  it('leaves what is not named at no fault', () => {
    expect(parseFaultSpec('throttle=0.5')).toEqual({ ...NO_FAULTS, throttle: 0.5 });
    expect(parseFaultSpec('')).toEqual(NO_FAULTS);
  });

  it.each([
    ['throtle=0.1', /unknown key "throtle"/],
    ['throttle=1.5', /throttle=1.5: a rate from 0 to 1/],
    ['throttle=', /a rate from 0 to 1/],
    ['throttle=0.1,throttle=0.2', /"throttle" given twice/],
    ['latency=fast', /latency=fast: a duration/],
    ['stall=2s', /stall=2s: <duration>@<start>/],
    ['seed=1.5', /seed=1.5: an integer/],
    ['throttle', /"throttle" is not key=value/],
  ])('rejects %s with a message naming it', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(message);
    try {
      parseFaultSpec(text);
    } catch (error) {
      expect((error as { code: string }).code).toBe('KSE_CONFIG_INVALID');
      expect((error as { setting: string }).setting).toBe('faults');
    }
  });
});
