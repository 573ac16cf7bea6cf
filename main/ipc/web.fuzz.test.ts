/**
 * Web mode under hostile input (issue 11: the class behind `GET //[`):
 * malformed request lines, header sets, upgrade requests, chunk PUTs and
 * WebSocket frames, each sent on a raw loopback socket, with and without a
 * valid session. Every one must be answered (4xx, or a 2xx/3xx where the
 * input happened to be valid; 101 then a close or an answer for frames) or
 * have its connection closed: never a 5xx, never a 1011 close, never an
 * INTERNAL answer, never a hang past HANG_MS. After each batch a valid HTTP
 * call and a valid WebSocket invoke must still work, and the heap (after GC)
 * must end within HEAP_BOUND of where it started.
 *
 * Seeded: BERTH_FUZZ_SEED=<n> replays a run (the seed is printed), and every
 * failure prints its case. BERTH_FUZZ_SCALE multiplies the counts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodNames } from '../../preload/contract';
import { BerthError } from '../../preload/errors';
import { EventHub } from '../api/event-hub';
import { UploadStore } from '../api/features/upload-store';
import { uploadsMainHandlers } from '../api/features/uploads';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import { MAX_HEADER_BYTES, startWebServer, type WebServer } from './web';
import { openSession, sessionProtocols } from './web-test-client';

const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x5eed_b3) >>> 0;
const SCALE = Number(process.env.BERTH_FUZZ_SCALE ?? 1);
const HANG_MS = 5_000;
const PARALLEL = 8;
/** Heap growth allowed over the whole run, after GC (the server keeps only bounded state). */
const HEAP_BOUND = 16 * 1024 * 1024;
/**
 * RSS is noisier (allocator arenas, V8 pages kept after GC): measured here it
 * rose ~13 MB in the first batch and ~1-3 MB a batch after, ~20 MB in all at
 * both 11,500 and 23,000 cases (BERTH_FUZZ_SCALE=2), so it does not grow with
 * the count; a leak of ~4 KB a case would break this bound.
 */
const RSS_BOUND = 48 * 1024 * 1024;

// ── a seeded generator ─────────────────────────────────────────────────────

class Gen {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  str(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** A random JSON value, `depth` levels deep at most. */
  json(depth = 3): unknown {
    const k = this.int(depth > 0 ? 8 : 5);
    switch (k) {
      case 0:
        return null;
      case 1:
        return this.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER + 2]);
      case 2:
        return this.str(this.int(20), 'abc.{}"\\\u0000\u00e9\ud83d\ude00 ');
      case 3:
        return this.bool();
      case 4:
        return this.pick(['invoke', 'subscribe', 'unsubscribe', 'result', '__proto__', 'constructor']);
      case 5:
        return Array.from({ length: this.int(4) }, () => this.json(depth - 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--)
          o[this.pick(['type', 'id', 'method', 'params', 'event', '__proto__', 'x'])] = this.json(depth - 1);
        return o;
      }
    }
  }
}

// ── raw HTTP exchanges ────────────────────────────────────────────────────

type Outcome = { kind: 'status'; status: number } | { kind: 'closed' } | { kind: 'hang' };

let server: WebServer;
let port: number;
/** The credential fuzz inputs carry (a DELETE /session among them may end it: renewed after each batch). */
let session: string;
/** The checks' own session, never sent in a fuzz input. */
let checkSession: string;
let revoked = 0;
let dir: string;
const logged: string[] = [];

/** Writes `bytes`, half-closes, and reads until the server closes (or HANG_MS). */
function exchange(bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let head = '';
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'hang' }), HANG_MS);
    const settle = () => {
      // The final status: a `100 Continue` before it is only interim.
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head.replace(/^HTTP\/1\.[01] 100 [^\r\n]*\r\n\r\n/, ''));
      finish(m ? { kind: 'status', status: Number(m[1]) } : { kind: 'closed' });
    };
    s.on('data', (d: Buffer) => {
      if (head.length < 512) head += d.toString('latin1');
      // A 101 is the start of a WebSocket: the status is all this case needs.
      if (/^HTTP\/1\.1 101/.test(head)) settle();
    });
    s.on('end', settle);
    s.on('close', settle);
    s.on('error', settle);
    s.write(bytes, () => s.end());
  });
}

/**
 * Runs `count` cases PARALLEL at a time, each made just before it is sent
 * (in one sequence from the seed), so the client never holds a batch: the
 * memory measured is the server's, not a pile of pending inputs.
 */
async function inParallel<T>(count: number, make: () => T, run: (t: T, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, lane) => {
      while (next < count) {
        next++;
        await run(make(), lane);
      }
    }),
  );
}

interface Tally {
  cases: number;
  byOutcome: Record<string, number>;
  failures: string[];
}

const tallies = new Map<string, Tally>();

function record(batch: string, input: Buffer | string, o: Outcome, allowed: (o: Outcome) => boolean): void {
  let t = tallies.get(batch);
  if (!t) tallies.set(batch, (t = { cases: 0, byOutcome: {}, failures: [] }));
  t.cases++;
  const key = o.kind === 'status' ? String(o.status) : o.kind;
  t.byOutcome[key] = (t.byOutcome[key] ?? 0) + 1;
  if (!allowed(o) && t.failures.length < 5) {
    const shown = Buffer.isBuffer(input) ? JSON.stringify(input.subarray(0, 300).toString('latin1')) : input;
    t.failures.push(`${key} for ${shown}`);
  }
}

/** No 5xx (a crash answered by the guard), no hang; 2xx/3xx/4xx and closes are answers. */
const httpAllowed = (o: Outcome) => o.kind === 'closed' || (o.kind === 'status' && o.status < 500);

const hostHeader = () => `Host: 127.0.0.1:${port}\r\n`;

// ── generators ─────────────────────────────────────────────────────────────

const NASTY_TARGETS = [
  '//[',
  '//[/ws',
  '/%',
  '/%zz',
  '/%00',
  '/%c0%ae%c0%ae/etc/passwd',
  '/..%2f..%2fetc%2fpasswd',
  '/../../etc/passwd',
  '*',
  'http://[',
  'http://evil.example/',
  'ws://127.0.0.1/ws',
  '',
  '/?token=' + 'A'.repeat(10),
  '/session?%',
  '/chunks/',
  '/chunks/uploads.chunk?id=&offset=',
  '/\u00e9\u00ff',
  '/a\tb',
  '/' + 'a'.repeat(300) + '/' + 'b'.repeat(3000),
];

function requestLine(g: Gen): Buffer {
  const method = g.pick([
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'get',
    'G\u00c9T',
    'PRI',
    'CONNECT',
    '',
    g.str(g.int(40) + 1, 'ABCXYZ-_!@#'),
  ]);
  const target = g.bool(0.6)
    ? g.pick(NASTY_TARGETS)
    : '/' +
      g
        .bytes(g.int(40))
        .toString('latin1')
        .replace(/[\r\n ]/g, g.pick(['', '%', '/']));
  const version = g.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', 'http/1.1', '', 'HTTP/']);
  const sep = g.pick([' ', '  ', '\t', ' \u0000 ']);
  const eol = g.pick(['\r\n', '\n', '\r', '']);
  const tail = g.bool(0.7) ? hostHeader() + (g.bool(0.3) ? `Authorization: Bearer ${session}\r\n` : '') + '\r\n' : '';
  return Buffer.from(`${method}${sep}${target}${sep}${version}${eol}${tail}`, 'latin1');
}

function headerSet(g: Gen): Buffer {
  const lines: string[] = [];
  const target = g.pick(['/', '/session', '/ws', '/assets/x.js', '/chunks/uploads.chunk?id=a&offset=0']);
  const method = g.pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']);
  if (g.bool(0.85))
    lines.push(
      g.pick([
        `Host: 127.0.0.1:${port}`,
        `Host: localhost:${port}`,
        'Host: evil.example',
        'Host:',
        `Host: 127.0.0.1:${port}\r\nHost: evil.example`,
      ]),
    );
  if (g.bool(0.5))
    lines.push(
      g.pick([
        `Authorization: Bearer ${session}`,
        `Authorization: Bearer ${server.token}`,
        'Authorization: Bearer',
        'Authorization: Basic Zm9vOmJhcg==',
        `Authorization: Bearer ${'x'.repeat(g.int(9000))}`,
      ]),
    );
  if (g.bool(0.3))
    lines.push(g.pick([`Cookie: berth_token=${server.token}`, `Cookie: berth_session=${session}`, 'Cookie: ;;;==;']));
  if (g.bool(0.3))
    lines.push(g.pick(['Origin: http://evil.example', `Origin: http://127.0.0.1:${port}`, 'Origin: null', 'Origin:']));
  for (let i = g.int(6); i > 0; i--) {
    switch (g.int(10)) {
      case 0:
        lines.push(`${g.str(g.int(10) + 1, 'abc()<>@,;:\\"/[]?={} \t\u00e9')}: v`);
        break;
      case 1:
        lines.push(`X-Ctl: a${String.fromCharCode(g.int(32))}b`);
        break;
      case 2:
        lines.push('X-Fold: a\r\n b');
        break;
      case 3:
        lines.push(
          g.pick([
            'Content-Length: 5\r\nContent-Length: 6',
            'Content-Length: -1',
            'Content-Length: 1e3',
            'Content-Length: 99999999999999999999',
            'Transfer-Encoding: chunked\r\nContent-Length: 3',
            'Transfer-Encoding: gzip, chunked',
            'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity',
          ]),
        );
        break;
      case 4:
        lines.push(`X-Big: ${'y'.repeat(MAX_HEADER_BYTES + g.int(4096))}`);
        break;
      case 5:
        for (let k = 0; k < 300; k++) lines.push(`X-Many-${k}: ${k}`);
        break;
      case 6:
        lines.push('no colon here');
        break;
      case 7:
        lines.push('Space-Before : colon');
        break;
      case 8:
        lines.push(
          `X-Bin: ${g
            .bytes(g.int(30))
            .toString('latin1')
            .replace(/[\r\n]/g, '')}`,
        );
        break;
      default:
        lines.push(g.pick(['Expect: 100-continue', 'Connection: keep-alive, Upgrade', 'Upgrade: h2c', 'Accept: */*']));
    }
  }
  const body = g.bool(0.3)
    ? g.pick([
        '5\r\nhello\r\n0\r\n\r\n',
        'zz\r\n',
        'ffffffffffffffff\r\nx',
        '{',
        g.bytes(g.int(200)).toString('latin1'),
      ])
    : '';
  return Buffer.from(`${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/**
 * An upgrade request, and whether it may be answered 101: only with our
 * session next to berth.v1, our Host, no foreign Origin, and the path /ws.
 * (Header spellings and protocol versions `ws` accepts, such as version 8 or
 * `Upgrade: WebSocket`, are its business; the credential and origin are ours.)
 */
function upgradeRequest(g: Gen): { bytes: Buffer; mayUpgrade: boolean } {
  const canonical = g.bool(0.15);
  const key = randomBytes(16).toString('base64');
  const own = `http://127.0.0.1:${port}`;
  const pick = (ok: string, others: string[]) => (canonical ? ok : g.pick([ok, ...others]));
  const pathname = pick('/ws', ['/ws?x=1', '/', '//[', '/ws/../ws', '/WS', '/session', '//ws']);
  const hostLine = pick(`Host: 127.0.0.1:${port}`, [`Host: 127.0.0.1:${port}`, 'Host: evil.example', 'Host:']);
  const good = sessionProtocols(session).join(', ');
  const protocols = pick(good, [
    good,
    'berth.v1',
    `berth.v1, berth.session.${server.token}`,
    'berth.v1, berth.session.',
    'bad protocol, with spaces',
    ',,,',
    `berth.v1, berth.session.${'x'.repeat(10_000)}`,
    `${good}, ${good}`,
    `berth.session.${session}`,
    '',
  ]);
  const origin = canonical
    ? `Origin: ${own}`
    : g.bool(0.3)
      ? g.pick(['Origin: http://evil.example', `Origin: ${own}`, 'Origin: null'])
      : null;
  const h = [
    hostLine,
    pick('Upgrade: websocket', ['Upgrade: WebSocket', 'Upgrade: h2c', 'Upgrade:', 'Upgrade: websocket, foo']),
    pick('Connection: Upgrade', ['Connection: upgrade, keep-alive', 'Connection: close', 'Connection:']),
    pick(`Sec-WebSocket-Key: ${key}`, [
      'Sec-WebSocket-Key:',
      'Sec-WebSocket-Key: short',
      'Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!!!',
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Key: ${key}`,
    ]),
    pick('Sec-WebSocket-Version: 13', [
      'Sec-WebSocket-Version: 8',
      'Sec-WebSocket-Version:',
      'Sec-WebSocket-Version: 13, 8',
      'Sec-WebSocket-Version: abc',
    ]),
    'Sec-WebSocket-Protocol: ' + protocols,
  ];
  if (origin) h.push(origin);
  if (!canonical && g.bool(0.2))
    h.push(
      g.pick([
        `Cookie: berth_token=${server.token}`,
        `Authorization: Bearer ${session}`,
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99',
        'Sec-WebSocket-Extensions: ;;;',
      ]),
    );
  const mayUpgrade =
    ['/ws', '/ws?x=1', '/ws/../ws'].includes(pathname) &&
    hostLine === `Host: 127.0.0.1:${port}` &&
    protocols.startsWith(good) &&
    (origin === null || origin === `Origin: ${own}`);
  return { bytes: Buffer.from(`GET ${pathname} HTTP/1.1\r\n${h.join('\r\n')}\r\n\r\n`, 'latin1'), mayUpgrade };
}

function chunkPut(g: Gen): Buffer {
  const method = g.pick([
    'uploads.chunk',
    'images.ingest.chunk',
    'containers.remove',
    '',
    '%',
    '../x',
    'uploads.chunk/extra',
  ]);
  const q = g.pick([
    `id=${'a'.repeat(32)}&offset=0`,
    `id=${g.str(g.int(80), 'abc%&=/-_')}&offset=${g.pick(['-1', 'x', '1.5', '1e400', '9007199254740993', '', '0'])}`,
    'offset=0',
    '',
    '%',
  ]);
  const body = g.bytes(g.int(4096));
  const auth = g.pick([
    `Authorization: Bearer ${session}\r\n`,
    `Authorization: Bearer ${session}\r\n`,
    `Authorization: Bearer ${server.token}\r\n`,
    `Cookie: berth_token=${server.token}\r\n`,
    '',
  ]);
  const framing = g.int(4);
  const lengthHeader =
    framing === 0
      ? `Content-Length: ${body.length}\r\n`
      : framing === 1
        ? `Content-Length: ${body.length + 1 + g.int(10_000_000)}\r\n` // promises more than it sends
        : framing === 2
          ? 'Transfer-Encoding: chunked\r\n'
          : '';
  const payload =
    framing === 2
      ? Buffer.concat([
          Buffer.from(g.pick([`${body.length.toString(16)}\r\n`, 'zz\r\n', 'ffffffffff\r\n'])),
          body,
          Buffer.from('\r\n0\r\n\r\n'),
        ])
      : framing === 3
        ? Buffer.alloc(0)
        : body;
  return Buffer.concat([
    Buffer.from(
      `${g.pick(['PUT', 'PUT', 'POST', 'GET'])} /chunks/${method}?${q} HTTP/1.1\r\n${hostHeader()}${auth}${lengthHeader}\r\n`,
      'latin1',
    ),
    payload,
  ]);
}

// ── WebSocket frames ──────────────────────────────────────────────────────

interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  masked?: boolean;
  payload?: Buffer;
  /** Announce this length instead of the payload's (oversized frames). */
  announce?: bigint;
}

function frame(f: FrameSpec): Buffer {
  const payload = f.payload ?? Buffer.alloc(0);
  const masked = f.masked ?? true;
  const len = f.announce ?? BigInt(payload.length);
  const b0 = ((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | (f.opcode & 0x0f);
  let head: Buffer;
  if (len < 126n) head = Buffer.from([b0, (masked ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    head = Buffer.alloc(4);
    head[0] = b0;
    head[1] = (masked ? 0x80 : 0) | 126;
    head.writeUInt16BE(Number(len), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = (masked ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([head, key, body]);
}

const text = (s: string | Buffer, extra: Partial<FrameSpec> = {}) =>
  frame({ opcode: 1, payload: Buffer.isBuffer(s) ? s : Buffer.from(s), ...extra });

const BAD_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0x7b, 0x22, 0xe2, 0x82]),
];

const callableMethods = methodNames.filter((m) => !m.startsWith('uploads.'));

function wsCase(g: Gen): Buffer[] {
  switch (g.int(16)) {
    case 0:
      return [frame({ opcode: g.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), payload: g.bytes(g.int(20)) })];
    case 1:
      return [text('{}', { rsv: 1 + g.int(7) })];
    case 2:
      return [text(JSON.stringify({ type: 'invoke', id: 1, method: 'app.version', params: {} }), { masked: false })];
    case 3:
      return [
        frame({
          opcode: g.pick([1, 2]),
          announce: g.pick([2n ** 62n, 2n ** 63n - 1n, 2n ** 32n, 64n * 1024n * 1024n]),
        }),
      ];
    case 4:
      return [frame({ opcode: g.pick([8, 9, 10]), fin: false, payload: g.bytes(g.int(10)) })];
    case 5:
      return [frame({ opcode: g.pick([9, 10]), payload: g.bytes(126 + g.int(200)) })];
    case 6:
      return [text(g.pick(BAD_UTF8))];
    case 7:
      return [frame({ opcode: 0, payload: Buffer.from('orphan continuation') })];
    case 8:
      return [text('{"type":', { fin: false }), text('"invoke"}')];
    case 9: {
      const code = g.pick([0, 999, 1004, 1005, 1006, 1016, 2999, 5000, 65535]);
      const p = Buffer.alloc(2);
      p.writeUInt16BE(code);
      return [frame({ opcode: 8, payload: g.bool() ? p : Buffer.concat([p, g.pick(BAD_UTF8)]) })];
    }
    case 10:
      return [
        text(
          g.pick([
            '{not json',
            '',
            '[',
            'null',
            '"',
            '\u0000',
            '{"type":"invoke"',
            g.bytes(g.int(100)).toString('base64'),
          ]),
        ),
      ];
    case 11:
      return [text(JSON.stringify(g.json(4)))];
    case 12:
      return [
        text(
          JSON.stringify({
            type: 'invoke',
            id: g.pick([g.int(1000), -1, 1.5, 2 ** 60]),
            method: g.bool(0.8) ? g.pick(callableMethods) : g.str(g.int(300), 'abc.'),
            params: g.json(3),
          }),
        ),
      ];
    case 13:
      return [
        text(
          JSON.stringify({
            type: g.pick(['subscribe', 'unsubscribe']),
            id: g.int(50),
            event: g.str(g.int(30), 'abcdefghijklmnop.'),
          }),
        ),
      ];
    case 14:
      return [frame({ opcode: 2, payload: g.bytes(g.int(500)) }), frame({ opcode: 9, payload: g.bytes(g.int(20)) })];
    default:
      return [
        text('[' + '['.repeat(5000) + ']'.repeat(5000) + ']'),
        text(JSON.stringify({ type: 'invoke', id: 3, method: 'app.version', params: 'x'.repeat(g.int(200_000)) })),
      ];
  }
}

/** An upgraded socket and a reader of the server's (unmasked) frames. */
interface WsConn {
  socket: net.Socket;
  closed: boolean;
  closeCode: number | null;
  /** Resolved when a text frame carrying `"id":<probe>` arrives or the socket closes. */
  waitFor(probe: number): Promise<'answered' | 'closed' | 'hang'>;
  internal: number;
}

function openRawWs(credential = session): Promise<WsConn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const waiters = new Map<number, (r: 'answered' | 'closed') => void>();
    const conn: WsConn = {
      socket,
      closed: false,
      closeCode: null,
      internal: 0,
      waitFor(probe) {
        if (conn.closed) return Promise.resolve('closed');
        return new Promise((res) => {
          const t = setTimeout(() => {
            waiters.delete(probe);
            res('hang');
          }, HANG_MS);
          waiters.set(probe, (r) => {
            clearTimeout(t);
            res(r);
          });
        });
      },
    };
    const closeAll = () => {
      conn.closed = true;
      for (const w of waiters.values()) w('closed');
      waiters.clear();
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(head)) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.slice(0, 100)}`));
          return;
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve(conn);
      }
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 8) {
          conn.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          closeAll();
        } else if (opcode === 1) {
          const s = payload.toString('utf8');
          if (s.includes('"code":"INTERNAL"')) conn.internal++;
          const m = /"id":(\d+)/.exec(s);
          if (m) waiters.get(Number(m[1]))?.('answered');
        }
      }
    });
    socket.on('close', closeAll);
    socket.on('error', closeAll);
    socket.write(
      `GET /ws HTTP/1.1\r\n${hostHeader()}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${sessionProtocols(credential).join(', ')}\r\n\r\n`,
    );
  });
}

// ── the server, and the checks between batches ─────────────────────────────

const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

function memory(): { heap: number; rss: number; buffers: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, buffers: m.arrayBuffers };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function stillServes(): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const r = await fetch(`${base}/session`, { headers: { authorization: `Bearer ${checkSession}` } });
  expect(r.status).toBe(200);
  const fuzzed = await fetch(`${base}/session`, { headers: { authorization: `Bearer ${session}` } });
  if (fuzzed.status === 401) {
    revoked++;
    session = await openSession(base, server.token);
  }
  const ws = await openRawWs(checkSession);
  ws.socket.write(text(JSON.stringify({ type: 'invoke', id: 777_777, method: 'app.version', params: {} })));
  expect(await ws.waitFor(777_777)).toBe('answered');
  ws.socket.destroy();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-fuzz-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'x.js'), 'console.log(1)');
  const helper: HelperCaller = {
    call: async (method) => {
      throw new BerthError('HELPER_UNAVAILABLE', `no helper in this test (${method})`);
    },
  };
  const base = {
    ...uploadsMainHandlers(new UploadStore({ parentDir: dir })),
    'app.version': async () => ({
      version: 't',
      transport: 'web' as const,
      node: process.versions.node,
      electron: null,
    }),
  };
  // Main methods this test does not serve answer a code, as a missing helper does.
  const handlers = new Proxy(base, {
    get: (t, k) =>
      (t as Record<string | symbol, unknown>)[k] ??
      (async () => {
        throw new BerthError('HELPER_UNAVAILABLE', `${String(k)} is not served in this test`);
      }),
  }) as unknown as MainHandlers;
  server = await startWebServer({
    backend: { router: new Router(handlers, helper), hub: new EventHub() },
    staticDir: dir,
    log: (l) => logged.push(l),
  });
  port = server.port;
  session = await openSession(`http://127.0.0.1:${port}`, server.token);
  checkSession = await openSession(`http://127.0.0.1:${port}`, server.token);
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('web mode fuzz', () => {
  it(`answers or closes on ≥ 10,000 hostile inputs, stays up, and keeps its memory flat (seed ${SEED})`, async () => {
    const g = new Gen(SEED);
    const n = (k: number) => Math.max(1, Math.round(k * SCALE));
    const started = Date.now();

    const httpBatch = async (name: string, count: number, make: (g: Gen) => Buffer) => {
      await inParallel(
        count,
        () => make(g),
        async (b) => record(name, b, await exchange(b), httpAllowed),
      );
      await stillServes();
    };
    const upgradeBatch = async (count: number) => {
      await inParallel(
        count,
        () => upgradeRequest(g),
        async ({ bytes, mayUpgrade }) =>
          record('upgrade requests', bytes, await exchange(bytes), (o) =>
            // A 101 only for a request with our session, Host and Origin.
            o.kind === 'status' ? o.status < 500 && (o.status !== 101 || mayUpgrade) : o.kind === 'closed',
          ),
      );
      await stillServes();
    };
    const wsBatch = async (count: number) => {
      let probe = 1_000_000;
      const conns: (WsConn | null)[] = Array.from({ length: PARALLEL }, () => null);
      await inParallel(
        count,
        () => wsCase(g),
        async (frames, lane) => {
          let conn = conns[lane];
          if (!conn || conn.closed) conn = conns[lane] = await openRawWs(checkSession);
          const id = probe++;
          const bytes = Buffer.concat([
            ...frames,
            text(JSON.stringify({ type: 'invoke', id, method: 'app.version', params: {} })),
          ]);
          conn.socket.write(bytes);
          const r = await conn.waitFor(id);
          const o: Outcome =
            r === 'hang'
              ? { kind: 'hang' }
              : r === 'closed'
                ? conn.closeCode === null
                  ? { kind: 'closed' }
                  : { kind: 'status', status: conn.closeCode }
                : { kind: 'status', status: 200 };
          record('WebSocket frames', bytes, o, (x) =>
            x.kind === 'hang' ? false : x.kind === 'closed' ? true : x.status !== 1011 && conn.internal === 0,
          );
          if (r === 'hang') conn.socket.destroy();
        },
      );
      for (const c of conns) c?.socket.destroy();
      await stillServes();
    };

    // Warm up (JIT, pools, the first sockets), then measure.
    await httpBatch('warm-up', 300, requestLine);
    await wsBatch(200);
    tallies.clear();
    const before = memory();
    const checkpoints: string[] = [];
    const checkpoint = (name: string) => {
      const m = memory();
      checkpoints.push(`${name}: heap ${mb(m.heap)}, buffers ${mb(m.buffers)}, rss ${mb(m.rss)}`);
    };

    await httpBatch('request lines', n(3000), requestLine);
    checkpoint('after request lines');
    await httpBatch('header sets', n(2500), headerSet);
    checkpoint('after header sets');
    await upgradeBatch(n(2000));
    checkpoint('after upgrades');
    await httpBatch('chunk PUTs', n(1000), chunkPut);
    checkpoint('after chunk PUTs');
    await wsBatch(n(3000));
    checkpoint('after WebSocket frames');
    const after = memory();

    let total = 0;
    const lines = [`web fuzz: seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s, ${PARALLEL} in parallel`];
    for (const [name, t] of tallies) {
      total += t.cases;
      const outcomes = Object.entries(t.byOutcome)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      lines.push(`  ${name}: ${t.cases} (${outcomes})`);
    }
    lines.push(`  total: ${total}; WebSocket answers are 200, closes are their close code`);
    lines.push(`  memory before: heap ${mb(before.heap)}, buffers ${mb(before.buffers)}, rss ${mb(before.rss)}`);
    lines.push(...checkpoints.map((c) => '  ' + c));
    lines.push(
      `  growth: heap ${mb(after.heap - before.heap)} (bound ${mb(HEAP_BOUND)}), rss ${mb(after.rss - before.rss)} (bound ${mb(RSS_BOUND)}); load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const unexpected = logged.filter((l) => l.includes('unexpected'));
    const kinds = new Map<string, number>();
    for (const l of logged) {
      const k = l.replace(/\/[^ :]*/g, '<path>').slice(0, 90);
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    for (const [k, v] of kinds) lines.push(`  log ${v}×: ${k}`);
    lines.push(
      `  server log lines: ${logged.length}, unexpected errors: ${unexpected.length}; fuzzed session ended by a fuzzed DELETE /session ${revoked}×`,
    );
    console.log(lines.join('\n'));

    const failures = [...tallies].flatMap(([name, t]) => t.failures.map((f) => `${name}: ${f}`));
    expect(failures, `replay with BERTH_FUZZ_SEED=${SEED}`).toEqual([]);
    expect(unexpected.slice(0, 5)).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(n(10_000));
    expect(after.heap - before.heap).toBeLessThan(HEAP_BOUND);
    expect(after.rss - before.rss).toBeLessThan(RSS_BOUND);
  }, 180_000);
});
