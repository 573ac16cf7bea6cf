import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodeLists, isBerthError } from '../../../preload/errors';
import { ContainerCreate } from '../../../preload/schemas/containers';
import { interpolate, parseEnvFile } from './interpolate';
import { loadProject, mergeTrees, normalizeProjectName, parseComposeYaml } from './load';
import { normalize, parseBytes, parseDuration } from './normalize';
import { LABEL, planService } from './plan';
import { shellWords } from './shell-words';
import { selectServices } from './actions';

function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isBerthError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

const proj = (yaml: string, vars: Record<string, string> = {}, files: Record<string, string> = {}) =>
  normalize({
    raw: parseComposeYaml(yaml, 'compose.yaml'),
    projectName: 'demo',
    workingDir: '/home/u/demo',
    configFiles: ['/home/u/demo/compose.yaml'],
    vars,
    readFile: (f) => {
      if (f in files) return files[f]!;
      throw new Error('ENOENT');
    },
    homeDir: '/home/u',
  });

describe('interpolation', () => {
  const vars = { A: 'a', EMPTY: '' };
  it.each([
    ['${A}', 'a'],
    ['$A-x', 'a-x'],
    ['${B}', ''],
    ['${B:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${B-def}', 'def'],
    ['${A:+alt}', 'alt'],
    ['${B:+alt}', ''],
    ['$$A', '$A'],
    ['cost: $$5', 'cost: $5'],
    ['${B:-${A}-nested}', 'a-nested'],
    ['x${A}y${A}z', 'xayaz'],
  ])('%s → %s', (text, want) => expect(interpolate(text, vars, 'k')).toBe(want));

  it('${VAR:?err} fails with the message and the key path', () => {
    expect(code(() => interpolate('${B:?B is needed}', vars, 'services.web.image'))).toBe(
      'COMPOSE_INTERPOLATION: services.web.image: required variable B is missing: B is needed',
    );
    expect(code(() => interpolate('${EMPTY:?}', vars, 'k'))).toMatch(
      /^COMPOSE_INTERPOLATION: k: required variable EMPTY is empty/,
    );
    expect(interpolate('${EMPTY?x}', vars, 'k')).toBe('');
  });

  it.each(['${', '${A', '${1A}', '$ x', 'end$', '${A!x}'])('malformed %s is COMPOSE_INTERPOLATION', (t) =>
    expect(code(() => interpolate(t, vars, 'k'))).toMatch(/^COMPOSE_INTERPOLATION/),
  );

  it('interpolates values of the loaded files with .env under the shell environment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-unit-'));
    fs.writeFileSync(path.join(dir, '.env'), '# comment\nTAG=1.0\nNAME="from dotenv"\nexport PORT=8080\n');
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      'services:\n  web:\n    image: "busybox:${TAG}"\n    environment:\n      N: ${NAME}\n      P: $PORT\n      L: $$literal\n',
    );
    const p = loadProject({ files: [], cwd: dir, env: { NAME: 'from shell' } });
    const web = p.services[0]!;
    expect(web.image).toBe('busybox:1.0');
    expect(web.environment).toEqual({ N: 'from shell', P: '8080', L: '$literal' });
    expect(p.name).toBe(normalizeProjectName(path.basename(dir)));
    expect(p.workingDir).toBe(dir);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('env files and shell words', () => {
  it('parses quotes, comments, export and bare keys', () => {
    expect(parseEnvFile('A=1\n# c\n\nexport B=\'x y\'\nC="q\\"n\\nz"\nD=v # trailing\nE\n', 'f')).toEqual([
      ['A', '1'],
      ['B', 'x y'],
      ['C', 'q"n\nz'],
      ['D', 'v'],
      ['E', undefined],
    ]);
  });
  it('splits a command string without a shell', () => {
    expect(shellWords(`sh -c 'echo "hi there"' "a b" c\\ d`, 'k')).toEqual([
      'sh',
      '-c',
      'echo "hi there"',
      'a b',
      'c d',
    ]);
    expect(code(() => shellWords(`echo 'x`, 'services.a.command'))).toMatch(/^COMPOSE_INVALID: services.a.command/);
  });
});

describe('project names and files', () => {
  it('normalizes as docker compose', () => {
    expect(normalizeProjectName('My App.v2')).toBe('myappv2');
    expect(normalizeProjectName('__x-Y')).toBe('x-y');
  });
  it('not YAML, or not a mapping, is COMPOSE_YAML_INVALID', () => {
    expect(code(() => parseComposeYaml('services: [a\n', 'f.yaml'))).toMatch(/^COMPOSE_YAML_INVALID: f.yaml/);
    expect(code(() => parseComposeYaml('- a\n- b\n', 'f.yaml'))).toMatch(
      /^COMPOSE_YAML_INVALID: f.yaml: the top level/,
    );
  });
  it('a missing file is COMPOSE_FILE_NOT_FOUND', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-unit-'));
    expect(code(() => loadProject({ files: [], cwd: dir, env: {} }))).toMatch(
      /^COMPOSE_FILE_NOT_FOUND: no compose file/,
    );
    expect(code(() => loadProject({ files: ['nope.yml'], cwd: dir, env: {} }))).toMatch(/^COMPOSE_FILE_NOT_FOUND/);
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services: {a: {image: x}}\n');
    expect(code(() => loadProject({ files: [], projectName: 'Bad Name', cwd: dir, env: {} }))).toMatch(
      /^COMPOSE_PROJECT_NAME_INVALID/,
    );
    fs.rmSync(dir, { recursive: true });
  });
  it('merges -f files in order: maps merge, command replaces, lists append', () => {
    const m = mergeTrees(
      { services: { web: { image: 'a', command: ['x', 'y'], ports: ['1:1'], environment: { A: '1' } } } },
      { services: { web: { image: 'b', command: ['z'], ports: ['2:2', '1:1'], environment: { B: '2' } } } },
    );
    expect(m).toEqual({
      services: { web: { image: 'b', command: ['z'], ports: ['1:1', '2:2'], environment: { A: '1', B: '2' } } },
    });
  });
});

describe('normalize', () => {
  it('maps the common subset', () => {
    const p = proj(
      `
name: ignored-here
services:
  web:
    image: busybox
    command: httpd -f -p 80
    entrypoint: ["/bin/sh", "-c"]
    environment: [A=1, FROMSHELL, MISSING]
    env_file: [./web.env]
    ports: ["8080:80", "127.0.0.1:9090:90/udp", {target: 81, published: "8081"}, "7000-7001:7000-7001"]
    volumes:
      - ./site:/var/www:ro
      - data:/data
      - /anon
      - {type: tmpfs, target: /run/x, tmpfs: {size: 1m, mode: 1777}}
      - {type: bind, source: ~/cfg, target: /cfg}
    networks:
      front: {aliases: [www]}
      back:
    restart: on-failure:3
    deploy: {resources: {limits: {memory: 64m, cpus: "0.5", pids: 100}, reservations: {memory: 32m}}}
    healthcheck: {test: ["CMD-SHELL", "wget -q -O- localhost"], interval: 1m30s, timeout: 500ms, retries: 5, start_period: 2s}
    user: "1000:1000"
    working_dir: /srv
    labels: {tier: web}
    hostname: webhost
    container_name: the-web
  client:
    image: busybox
    depends_on: {web: {condition: service_healthy}}
    healthcheck: {test: ["NONE"]}
networks: {front: {}, back: {external: true, name: shared}}
volumes: {data: {}}
`,
      { FROMSHELL: 'yes' },
      { '/home/u/demo/web.env': 'E=file\nA=overridden\n' },
    );
    expect(p.warnings).toEqual([
      'services.web.ports[1] host_ip 127.0.0.1 is not supported (ports publish on every address); ignored',
    ]);
    expect(p.services.map((s) => s.name)).toEqual(['web', 'client']);
    const web = p.services[0]!;
    expect(web.command).toEqual(['httpd', '-f', '-p', '80']);
    expect(web.entrypoint).toEqual(['/bin/sh', '-c']);
    expect(web.environment).toEqual({ E: 'file', A: '1', FROMSHELL: 'yes' });
    expect(web.ports).toEqual([
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 9090, containerPort: 90, protocol: 'udp' },
      { hostPort: 8081, containerPort: 81, protocol: 'tcp' },
      { hostPort: 7000, containerPort: 7000, protocol: 'tcp' },
      { hostPort: 7001, containerPort: 7001, protocol: 'tcp' },
    ]);
    expect(web.mounts).toEqual([
      { type: 'bind', source: '/home/u/demo/site', target: '/var/www', readOnly: true },
      { type: 'volume', source: 'demo_data', target: '/data', readOnly: false, noCopy: false },
      { type: 'volume', source: '', target: '/anon', readOnly: false, noCopy: false },
      { type: 'tmpfs', target: '/run/x', sizeBytes: 1024 * 1024, mode: '1777', readOnly: false },
      { type: 'bind', source: '/home/u/cfg', target: '/cfg', readOnly: false },
    ]);
    expect(web.networks).toEqual([
      { key: 'front', aliases: ['www'] },
      { key: 'back', aliases: [] },
    ]);
    expect(p.networks).toEqual({
      front: { name: 'demo_front', external: false, internal: false, labels: {} },
      back: { name: 'shared', external: true, internal: false, labels: {} },
      default: { name: 'demo_default', external: false, internal: false, labels: {} },
    });
    expect(web.restart).toEqual({ name: 'on-failure', maxRetries: 3 });
    expect(web.resources).toEqual({
      memory: { max: 64 * 1024 ** 2, high: 32 * 1024 ** 2 },
      cpu: { cpus: 0.5 },
      pids: { max: 100 },
    });
    expect(web.healthcheck).toEqual({
      test: ['/bin/sh', '-c', 'wget -q -O- localhost'],
      intervalMs: 90_000,
      timeoutMs: 500,
      retries: 5,
      startPeriodMs: 2000,
    });
    expect([web.user, web.workingDir, web.hostname, web.containerName]).toEqual([
      '1000:1000',
      '/srv',
      'webhost',
      'the-web',
    ]);
    const client = p.services[1]!;
    expect(client.dependsOn).toEqual([{ service: 'web', condition: 'service_healthy' }]);
    expect(client.healthcheck).toBeUndefined();
    expect(client.networks).toEqual([{ key: 'default', aliases: [] }]);
  });

  it('orders services by depends_on and selects dependencies transitively', () => {
    const p = proj(`
services:
  c: {image: x, depends_on: [b]}
  b: {image: x, depends_on: {a: {condition: service_completed_successfully}}}
  a: {image: x}
  d: {image: x}
`);
    expect(p.services.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(selectServices(p, ['c']).map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(code(() => selectServices(p, ['zz']))).toMatch(/^COMPOSE_UNKNOWN_SERVICE/);
  });

  it('warns about every unsupported key by its path, and nothing else', () => {
    const p = proj(`
version: "3.9"
x-common: &c {image: busybox}
secrets: {s: {file: ./s}}
services:
  web:
    <<: *c
    cap_add: [NET_ADMIN]
    x-mine: 1
    healthcheck: {test: "true", foo: 1}
    deploy: {replicas: 2, resources: {limits: {memory: 1m, devices: []}}}
    volumes: ["./a:/a:ro,Z,delegated"]
    depends_on: {db: {condition: service_started, restart: true}}
  db: {image: busybox, ports: ["80"]}
`);
    expect(p.warnings.sort()).toEqual(
      [
        'secrets is not supported; ignored',
        'version is obsolete; ignored',
        'services.web.cap_add is not supported; ignored',
        'services.web.healthcheck.foo is not supported; ignored',
        'services.web.deploy.replicas is not supported; ignored',
        'services.web.deploy.resources.limits.devices is not supported; ignored',
        'services.web.volumes[0] option delegated is not supported; ignored',
        'services.web.depends_on.db.restart is not supported; ignored',
        'services.db.ports[0] has no published port; Berth publishes fixed host ports only, so it is not published',
      ].sort(),
    );
  });

  it.each([
    ['services: {a: {image: x, depends_on: [b]}}', 'COMPOSE_UNKNOWN_SERVICE: services.a.depends_on names b'],
    [
      'services: {a: {image: x, depends_on: [b]}, b: {image: x, depends_on: [c]}, c: {image: x, depends_on: [a]}}',
      'COMPOSE_DEPENDENCY_CYCLE: depends_on forms a cycle: a -> b -> c -> a',
    ],
    ['services: {a: {image: x, depends_on: [a]}}', 'COMPOSE_DEPENDENCY_CYCLE: depends_on forms a cycle: a -> a'],
    ['services: {a: {image: x, networks: [nope]}}', 'COMPOSE_UNKNOWN_NETWORK: services.a.networks names nope'],
    [
      'services: {a: {image: x, volumes: ["nope:/x"]}}',
      'COMPOSE_UNKNOWN_VOLUME: services.a.volumes[0] refers to volume nope',
    ],
    ['services: {}', 'COMPOSE_NO_SERVICES'],
    ['services: [a]', 'COMPOSE_INVALID: services must be a mapping'],
    ['services: {a: {command: x}}', 'COMPOSE_INVALID: services.a needs an image or a build'],
    ['services: {a: {image: [x]}}', 'COMPOSE_INVALID: services.a.image must be a string'],
    ['services: {a: {image: x, command: {a: 1}}}', 'COMPOSE_INVALID: services.a.command must be a list of strings'],
    ['services: {a: {image: x, ports: "80:80"}}', 'COMPOSE_INVALID: services.a.ports must be a list'],
    ['services: {a: {image: x, ports: ["99999:80"]}}', 'COMPOSE_INVALID: services.a.ports[0] "99999" is not a port'],
    ['services: {a: {image: x, ports: ["80:80/sctp"]}}', 'COMPOSE_INVALID: services.a.ports[0] protocol "sctp"'],
    [
      'services: {a: {image: x, volumes: ["./x:rel"]}}',
      'COMPOSE_INVALID: services.a.volumes[0] "rel" must be an absolute path',
    ],
    [
      'services: {a: {image: x, volumes: [{type: npipe, target: /x}]}}',
      'COMPOSE_INVALID: services.a.volumes[0].type "npipe"',
    ],
    ['services: {a: {image: x, restart: sometimes}}', 'COMPOSE_INVALID: services.a.restart "sometimes"'],
    ['services: {a: {image: x, restart: "always:3"}}', 'COMPOSE_INVALID: services.a.restart "always:3"'],
    [
      'services: {a: {image: x, depends_on: {b: {condition: maybe}}}, b: {image: x}}',
      'COMPOSE_INVALID: services.a.depends_on.b.condition "maybe"',
    ],
    [
      'services: {a: {image: x, deploy: {resources: {limits: {memory: lots}}}}}',
      'COMPOSE_INVALID: services.a.deploy.resources.limits.memory must be a size',
    ],
    [
      'services: {a: {image: x, deploy: {resources: {limits: {cpus: "0"}}}}}',
      'COMPOSE_INVALID: services.a.deploy.resources.limits.cpus',
    ],
    [
      'services: {a: {image: x, healthcheck: {test: [WHAT, x]}}}',
      'COMPOSE_INVALID: services.a.healthcheck.test must be',
    ],
    [
      'services: {a: {image: x, healthcheck: {test: "true", interval: soon}}}',
      'COMPOSE_INVALID: services.a.healthcheck.interval must be a duration',
    ],
    [
      'services: {a: {image: x, healthcheck: {test: "true", retries: 0}}}',
      'COMPOSE_INVALID: services.a.healthcheck.retries must be an integer >= 1',
    ],
    ['services: {a: {image: x, working_dir: rel}}', 'COMPOSE_INVALID: services.a.working_dir must be an absolute path'],
    [
      'services: {a: {image: x, env_file: ./missing.env}}',
      'COMPOSE_FILE_NOT_FOUND: services.a.env_file[0]: cannot read /home/u/demo/missing.env',
    ],
    [
      'services: {a: {image: x, network_mode: "container:b"}}',
      'COMPOSE_INVALID: services.a.network_mode "container:b"',
    ],
    ['services: {"-a": {image: x}}', 'COMPOSE_INVALID: services.-a is not a valid service name'],
    ['networks: {n: {driver: overlay}}\nservices: {a: {image: x}}', 'COMPOSE_INVALID: networks.n.driver "overlay"'],
    [
      'volumes: {v: {external: maybe}}\nservices: {a: {image: x}}',
      'COMPOSE_INVALID: volumes.v.external must be true or false',
    ],
  ])('%s → %s', (yaml, want) =>
    expect(code(() => proj(yaml))).toMatch(new RegExp('^' + want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))),
  );

  it('env_file with required: false may be missing', () => {
    expect(
      proj('services: {a: {image: x, env_file: [{path: ./none.env, required: false}]}}').services[0]!.environment,
    ).toEqual({});
  });

  it('durations and sizes', () => {
    expect(parseDuration('1h2m3s4ms', 'k')).toBe(3_723_004);
    expect(parseDuration(5, 'k')).toBe(5000);
    expect(parseBytes('1.5g', 'k')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('512mb', 'k')).toBe(512 * 1024 ** 2);
  });

  it('every code compose throws is declared in preload/schemas/compose.ts', () => {
    const src = fs
      .readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(import.meta.dirname, f), 'utf8'))
      .join('\n');
    const thrown = new Set([...src.matchAll(/BerthError\(\s*'([A-Z_]+)'/g)].map((m) => m[1]!));
    const declared = new Set<string>(Object.values(errorCodeLists).flat());
    for (const c of thrown) expect(declared.has(c), c).toBe(true);
  });
});

describe('plan', () => {
  it('names, labels and aliases as docker compose v2, and a hash that follows the config', () => {
    const p = proj(`
services:
  web: {image: busybox, command: [httpd, -f], networks: {front: {aliases: [www]}, back: {}}, labels: [a=b]}
networks: {front: {}, back: {}}
`);
    const plan = planService(p, p.services[0]!, 'sha256:1');
    expect(plan.create.name).toBe('demo-web-1');
    expect(plan.create.network).toBe('demo_front');
    expect(plan.create.networkAliases).toEqual(['web', 'www']);
    expect(plan.extraNetworks).toEqual([{ network: 'demo_back', aliases: ['web'] }]);
    expect(plan.create.labels).toEqual({
      a: 'b',
      [LABEL.project]: 'demo',
      [LABEL.service]: 'web',
      [LABEL.number]: '1',
      [LABEL.workingDir]: '/home/u/demo',
      [LABEL.configFiles]: '/home/u/demo/compose.yaml',
      [LABEL.oneoff]: 'False',
      [LABEL.configHash]: plan.hash,
    });
    // The request passes the helper's own schema.
    expect(ContainerCreate.safeParse(plan.create).success).toBe(true);
    expect(planService(p, p.services[0]!, 'sha256:1').hash).toBe(plan.hash);
    expect(planService(p, p.services[0]!, 'sha256:2').hash).not.toBe(plan.hash);
    const changed = proj(`
services:
  web: {image: busybox, command: [httpd, -f, -v], networks: {front: {aliases: [www]}, back: {}}, labels: [a=b]}
networks: {front: {}, back: {}}
`);
    expect(planService(changed, changed.services[0]!, 'sha256:1').hash).not.toBe(plan.hash);
  });
});

describe('berth compose global options', () => {
  it('takes -p and repeated -f before the subcommand', async () => {
    const { splitGlobal } = await import('../commands/compose');
    expect(splitGlobal(['-p', 'app', '-f', 'a.yml', '--file=b.yml', 'up', '-d', 'web'])).toEqual({
      project: 'app',
      files: ['a.yml', 'b.yml'],
      verb: 'up',
      rest: ['-d', 'web'],
    });
    expect(code(() => splitGlobal(['-f']))).toMatch(/^USAGE: -f needs a value/);
    expect(code(() => splitGlobal(['--nope', 'up']))).toMatch(/^USAGE: unknown flag --nope/);
    expect(code(() => splitGlobal(['-p', 'x']))).toMatch(/^USAGE: berth compose COMMAND/);
  });
});
