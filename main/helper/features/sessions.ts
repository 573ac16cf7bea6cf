/** containers.exec / containers.attach and their sessions.* methods. */
import { Sessions } from '../../engine/containers/sessions';
import type { HandlersFor, HelperServices } from '../handlers';
import type { RpcConnection } from '../rpc-server';
import { engineFor } from './containers';

type SessionMethod = 'containers.exec' | 'containers.attach' | 'sessions.write' | 'sessions.resize' | 'sessions.close';

export function sessionHandlers(s: HelperServices): HandlersFor<SessionMethod> {
  const sessions = new Sessions({
    output: (sessionId, stream, data) =>
      s.emit('sessions.output', { sessionId, stream, data: data.toString('base64') }),
    exit: (sessionId, exitCode, error) =>
      s.emit('sessions.exit', error === undefined ? { sessionId, exitCode } : { sessionId, exitCode, error }),
  });
  // A session belongs to the connection that opened it: gone with it.
  const owned = new WeakMap<RpcConnection, Set<string>>();
  const own = (conn: RpcConnection, id: string): void => {
    let set = owned.get(conn);
    if (!set) {
      const created = new Set<string>();
      set = created;
      owned.set(conn, created);
      conn.onClose(() => {
        for (const sid of created) {
          try {
            sessions.get(sid).close(true);
          } catch {
            // already ended
          }
        }
      });
    }
    set.add(id);
  };
  return {
    'containers.exec': async (p, ctx) => {
      const { manager } = await engineFor(s);
      const r = sessions.exec(manager.execTarget(p.id), {
        cmd: p.cmd,
        tty: p.tty,
        env: p.env,
        cols: p.cols,
        rows: p.rows,
        ...(p.user !== undefined ? { user: p.user } : {}),
        ...(p.workdir !== undefined ? { workdir: p.workdir } : {}),
      });
      own(ctx.conn, r.sessionId);
      return r;
    },
    'containers.attach': async (p, ctx) => {
      const { manager } = await engineFor(s);
      const t = manager.execTarget(p.id);
      const r = await sessions.attach(t.runDir, t.record.config.tty);
      own(ctx.conn, r.sessionId);
      return r;
    },
    'sessions.write': async (p) => ({ written: sessions.get(p.sessionId).write(Buffer.from(p.data, 'base64')) }),
    'sessions.resize': async (p) => {
      sessions.get(p.sessionId).resize(p.cols, p.rows);
      return {};
    },
    'sessions.close': async (p) => {
      sessions.get(p.sessionId).close(p.kill);
      return {};
    },
  };
}
