// Keep-alive connections to members, kept only while they are beyond doubt. A pooled
// connection that receives a byte while idle carries a response nobody asked for (a
// request smuggled past us, a late body, a HEAD answered with a body): reusing it would
// hand that response to the next, unrelated client, so it is destroyed instead.
import http from 'node:http';
import type { Socket } from 'node:net';

/** Destroys an idle pooled socket that receives data; `this` is the socket. */
function destroyOnIdleData(this: Socket): void {
  this.destroy();
}

/** Starts guarding a socket the agent just put back in its free pool. */
function guardIdle(socket: Socket): void {
  if (socket.destroyed) return;
  // Bytes already buffered arrived after the response ended: nobody asked for them.
  if (socket.readableLength > 0) {
    socket.destroy();
    return;
  }
  socket.on('data', destroyOnIdleData);
  // A socket left paused (backpressure on the last response) would hold late bytes
  // unseen until the next request's parser read them as its response: keep reading.
  socket.resume();
}

/**
 * A keep-alive agent whose idle sockets are destroyed on any incoming byte. `timeout`
 * on a keep-alive agent only closes free sockets; busy ones are left alone.
 */
export function createUpstreamAgent(keepAliveMs: number): http.Agent {
  const agent = new http.Agent({ keepAlive: true, timeout: keepAliveMs });
  // Runs after the agent's own 'free' handler, which pools the socket or destroys it.
  agent.on('free', guardIdle);
  return agent;
}

/**
 * Stops guarding a socket handed to a new request (its bytes are that request's
 * response now). A reused socket that already holds unread bytes is destroyed: the
 * request then fails as a connect failure, before anything was sent, and is retried.
 */
export function claimSocket(socket: Socket): void {
  socket.removeListener('data', destroyOnIdleData);
  if (!socket.connecting && socket.readableLength > 0) socket.destroy();
}
