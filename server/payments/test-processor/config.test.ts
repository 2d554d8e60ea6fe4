import { describe, expect, it } from 'vitest';
import { parseProcessorConfig } from './config.ts';

const SECRET = 'a-secret-of-sixteen-or-more';

describe('parseProcessorConfig', () => {
  it('reads flags over the environment', () => {
    const parsed = parseProcessorConfig(
      { HEARTH_PROCESSOR_PORT: '9000', HEARTH_PROCESSOR_SECRET: 'from-the-environment-0' },
      [
        '--port',
        '8790',
        '--webhook=http://127.0.0.1:8787/v1/payments/processor-events',
        '--secret',
        SECRET,
      ],
    );
    expect(parsed).toEqual({
      ok: true,
      config: {
        port: 8790,
        host: '127.0.0.1',
        webhookUrl: 'http://127.0.0.1:8787/v1/payments/processor-events',
        secret: SECRET,
        publicUrl: undefined,
      },
    });
  });

  it('takes the environment alone, with defaults', () => {
    const parsed = parseProcessorConfig({ HEARTH_PROCESSOR_SECRET: SECRET }, []);
    expect(parsed).toMatchObject({ ok: true, config: { port: 8790, webhookUrl: undefined } });
  });

  it('names every problem: no secret, a bad port, an unknown flag', () => {
    const parsed = parseProcessorConfig({ HEARTH_PROCESSOR_PORT: 'x' }, []);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors.join('\n')).toMatch(/HEARTH_PROCESSOR_PORT/);
      expect(parsed.errors.join('\n')).toMatch(/HEARTH_PROCESSOR_SECRET/);
    }
    expect(parseProcessorConfig({ HEARTH_PROCESSOR_SECRET: SECRET }, ['--pin', '1'])).toEqual({
      ok: false,
      errors: ['unknown argument --pin'],
    });
  });
});
