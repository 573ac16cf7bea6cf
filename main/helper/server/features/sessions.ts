/** containers.exec / containers.attach and their sessions.* methods. */
import { Sessions, type SessionClient } from '../../../engine/containers/sessions';
import type { HandlersFor, HelperContext, HelperServices } from '../handlers';
import type { RpcConnection } from '../rpc-server';
import { engineFor } from './containers';

type SessionMethod =
  | 'containers.exec'
  | 'containers.attach'
  | 'sessions.reattach'
  | 'sessions.detach'
  | 'sessions.write'
  | 'sessions.resize'
  | 'sessions.close';

export function sessionHandlers(s: HelperServices): HandlersFor<SessionMethod> {
  const sessions = new Sessions(
    {
      output: (sessionId, stream, data, offset) =>
        s.emit('sessions.output', { sessionId, stream, data: data.toString('base64'), offset }),
      exit: (sessionId, exitCode, error) =>
        s.emit('sessions.exit', error === undefined ? { sessionId, exitCode } : { sessionId, exitCode, error }),
    },
    { ...s.settings.sessions, log: s.log },
  );
  // A connection is one client: its attachments go when it closes.
  const watched = new WeakSet<RpcConnection>();
  const client = (ctx: HelperContext): SessionClient => {
    const conn = ctx.conn;
    if (!watched.has(conn)) {
      watched.add(conn);
      conn.onClose(() => sessions.dropClient(conn));
    }
    return { key: conn, uid: conn.peer.uid };
  };
  return {
    'containers.exec': async (p, ctx) => {
      const { manager } = await engineFor(s);
      return sessions.exec(
        manager.execTarget(p.id),
        {
          cmd: p.cmd,
          tty: p.tty,
          env: p.env,
          cols: p.cols,
          rows: p.rows,
          reattachable: p.reattachable,
          ...(p.user !== undefined ? { user: p.user } : {}),
          ...(p.workdir !== undefined ? { workdir: p.workdir } : {}),
        },
        client(ctx),
      );
    },
    'containers.attach': async (p, ctx) => {
      const { manager } = await engineFor(s);
      const t = manager.execTarget(p.id);
      return sessions.attach({ containerId: t.record.id, runDir: t.runDir, tty: t.record.config.tty }, client(ctx));
    },
    'sessions.reattach': async (p, ctx) => {
      const r = sessions.reattach(p.sessionId, client(ctx));
      return { ...r, scrollback: r.scrollback.toString('base64') };
    },
    'sessions.detach': async (p, ctx) => {
      sessions.detach(p.sessionId, client(ctx));
      return {};
    },
    'sessions.write': async (p, ctx) => ({
      written: sessions.write(p.sessionId, client(ctx), Buffer.from(p.data, 'base64')),
    }),
    'sessions.resize': async (p, ctx) => {
      sessions.resize(p.sessionId, client(ctx), p.cols, p.rows);
      return {};
    },
    'sessions.close': async (p, ctx) => {
      sessions.close(p.sessionId, client(ctx), p.kill);
      return {};
    },
  };
}
