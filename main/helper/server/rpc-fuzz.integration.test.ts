/**
 * RPC fuzz: 10,000 random and garbled frames at a real helper. Each frame is
 * followed by a sentinel ping, so every answer is tied to the frame that
 * caused it: every frame that deserves an answer gets exactly one, and the
 * helper is alive and correct at the end. Seeded, so a failure reproduces.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcRequest } from '../../shared/rpc-protocol';
import { alive, isRoot, startTestHelper, type TestHelper } from '../../testing/helper-process';

const FRAMES = 10_000;

function prng(seed: number): () => number {
  // mulberry32
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = [
  'system.ping',
  'system.info',
  'app.version',
  'no.such',
  '',
  '__proto__',
  'constructor',
  'system.ping\u0000',
];

function makeFrame(rand: () => number, i: number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const valid = () => ({
    jsonrpc: '2.0',
    id: i,
    method: pick(METHODS),
    params: { echo: 'x'.repeat(Math.floor(rand() * 50)) },
  });
  const kind = Math.floor(rand() * 9);
  let text: string;
  switch (kind) {
    case 0: {
      // Random bytes, newline excluded (it would split the frame).
      const b = Buffer.alloc(1 + Math.floor(rand() * 200));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
      for (let k = 0; k < b.length; k++) if (b[k] === 0x0a) b[k] = 0x20;
      return b;
    }
    case 1: {
      // A valid request with bytes flipped, deleted or inserted.
      const chars = [...JSON.stringify(valid())];
      for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.33) chars[at] = String.fromCharCode(32 + Math.floor(rand() * 95));
        else if (op < 0.66) chars.splice(at, 1);
        else chars.splice(at, 0, pick(['{', '}', '"', ',', ':', '[', '\\', '\u00e9']));
      }
      text = chars.join('');
      break;
    }
    case 2:
      text = JSON.stringify(
        pick([0, -1, 'str', null, true, [1, 2], { a: 1 }, { jsonrpc: '2.0' }, { method: 'system.ping' }]),
      );
      break;
    case 3:
      text = JSON.stringify({
        jsonrpc: '2.0',
        id: pick([i, `s${i}`, null, 1.5, { o: 1 }, [1], true]),
        method: pick(METHODS),
        params: pick([{}, [], 'p', 3, null, undefined]),
      });
      break;
    case 4:
      text = JSON.stringify({
        ...valid(),
        method: 'system.ping',
        params: pick([{ echo: 5 }, { echo: 'y'.repeat(5000) }, { extra: true }, { echo: null }, { echo: ['a'] }]),
      });
      break;
    case 5: {
      const depth = 1 + Math.floor(rand() * 5000);
      text = pick(['[', '{"a":']).repeat(depth) + '1';
      text += text.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
      break;
    }
    case 6:
      text = JSON.stringify(
        Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.5 ? valid() : { ...valid(), id: undefined })),
      );
      break;
    case 7:
      text = JSON.stringify({ jsonrpc: '2.0', method: pick(METHODS), params: {} }); // notification
      break;
    default:
      text = JSON.stringify({ ...valid(), extra: 'field', jsonrpc: pick(['2.0', '2', 2, undefined]) });
  }
  return Buffer.from(text);
}

/** How many answers a frame deserves: 0 or 1 (a batch answers as one array). */
function expectedAnswers(frame: Buffer): number {
  const text = frame.toString('utf8');
  if (text.trim() === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 1;
  }
  const isNotification = (m: unknown) => {
    const r = RpcRequest.safeParse(m);
    return r.success && r.data.id === undefined;
  };
  if (Array.isArray(parsed)) return parsed.length === 0 ? 1 : parsed.every(isNotification) ? 0 : 1;
  return isNotification(parsed) ? 0 : 1;
}

describe.runIf(isRoot)('RPC fuzz', () => {
  let h: TestHelper;
  beforeAll(async () => {
    h = await startTestHelper();
  });
  afterAll(async () => {
    await h.stop();
  });

  it(`answers each of ${FRAMES} garbled frames and stays up`, async () => {
    const rand = prng(0xbe27);
    const sock = net.createConnection(h.socketPath);
    await new Promise((r) => sock.once('connect', r));
    // Answers to one connection's requests may come in any order (a batch
    // resolves after a later simple request), so each frame's window closes
    // when its sentinel has answered and the expected count arrived, or 2 s
    // after the sentinel; a surplus shows up as a mismatch in the next window.
    let buf = '';
    let collected: unknown[] = [];
    let sentinelSeen = false;
    let sentinel = '';
    let wake: (() => void) | null = null;
    sock.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as { id?: unknown };
        buf = buf.slice(nl + 1);
        if (msg.id === sentinel) sentinelSeen = true;
        else collected.push(msg);
      }
      wake?.();
    });
    const windowFor = async (expected: number): Promise<unknown[]> => {
      let deadline = Infinity;
      while (!(sentinelSeen && collected.length >= expected)) {
        if (sentinelSeen && deadline === Infinity) deadline = Date.now() + 2000;
        if (Date.now() > deadline) break;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, sentinelSeen ? 50 : 5000);
        });
      }
      const got = collected;
      collected = [];
      sentinelSeen = false;
      return got;
    };

    let answered = 0;
    let expectedTotal = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const frame =
        i === 1234 || i === 8765 ? Buffer.from('"' + 'z'.repeat(16 * 1024 * 1024 + 10) + '"') : makeFrame(rand, i);
      const expected = frame.length > 16 * 1024 * 1024 ? 1 : expectedAnswers(frame);
      sentinel = `sentinel-${i}`;
      sock.write(
        Buffer.concat([frame, Buffer.from(`\n{"jsonrpc":"2.0","id":"${sentinel}","method":"system.ping"}\n`)]),
      );
      const answers = await windowFor(expected);
      answered += answers.length;
      expectedTotal += expected;
      if (answers.length !== expected && mismatches.length < 5) {
        mismatches.push(
          `frame ${i}: expected ${expected}, got ${answers.length}: ${frame.toString('utf8').slice(0, 120)}`,
        );
      }
    }
    sock.destroy();
    expect(mismatches).toEqual([]);
    expect(answered).toBe(expectedTotal);
    expect(expectedTotal).toBeGreaterThan(FRAMES * 0.8);
    expect(alive(h.child.pid!)).toBe(true);
    expect(h.stderr()).not.toMatch(/uncaught|unhandled/);
  }, 240_000);
});
