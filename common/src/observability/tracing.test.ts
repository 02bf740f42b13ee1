import { trace } from '@opentelemetry/api';
import { generateTokenKeys } from '../auth/user-token';
import { loadServiceConfig } from '../config';
import { currentTraceparent, startTracing, stopTracing, tracingEnabled } from './tracing';

afterEach(() => stopTracing());

// The export over OTLP/HTTP is tested on a service process (auth/src/tracing-export.test.ts): under
// jest the exporter's dynamic import of its HTTP agent fails.

const env = { JWT_PUBLIC_KEY: generateTokenKeys().publicKey, MONGO_URL: 'mongodb://127.0.0.1:27017' };

describe('tracing set-up', () => {
  it('stays off without a collector: nothing registered, no trace context to keep', () => {
    expect(loadServiceConfig('auth', env).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadServiceConfig('auth', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      undefined,
    );
    expect(startTracing({ serviceName: 'auth', otlpEndpoint: undefined })).toBe(false);
    expect(tracingEnabled()).toBe(false);
    trace.getTracer('test').startActiveSpan('work', (span) => {
      expect(currentTraceparent()).toBeUndefined();
      span.end();
    });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => loadServiceConfig('auth', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
