import { connectSocketIo, JsonWsClient, type ChatSocket } from "./clients";
import type { TestUser } from "./database";
import type { TestServer } from "./server";

// The connections of an integration test file that runs one server for all its tests: Socket.IO and
// JSON WebSocket clients opened as a test user, remembered so that `after` closes them all at once.

export interface TestSession {
  /** A Socket.IO client signed in as the test user `key` (a token from POST /api/auth/token), once session:ready. */
  open: (key: string) => Promise<ChatSocket>;
  /** A JSON WebSocket client signed in as `key`; a socket error after the server closes it is ignored. */
  openJson: (key: string) => Promise<JsonWsClient>;
  /** Remembers a socket opened some other way, so that `closeAll` closes it too. */
  track: (socket: ChatSocket) => ChatSocket;
  /** The test user `key`; throws for a key the server was not started with. */
  user: (key: string) => TestUser;
  /** Closes every connection opened or tracked so far; the server keeps running. */
  closeAll: () => void;
}

/** `server` is read on each call, because test files start it in `before`, after this is created. */
export function createSession(server: () => TestServer): TestSession {
  const sockets: ChatSocket[] = [];
  const jsonClients: JsonWsClient[] = [];
  const track = (socket: ChatSocket) => {
    sockets.push(socket);
    return socket;
  };
  return {
    open: async (key) => track(await connectSocketIo(server().url, { token: await server().token(key) })),
    openJson: async (key) => {
      const client = await JsonWsClient.connect(server().url, await server().token(key));
      client.ws.on("error", () => undefined);
      jsonClients.push(client);
      return client;
    },
    track,
    user: (key) => {
      const found = server().users[key];
      if (!found) throw new Error(`no test user ${key}`);
      return found;
    },
    closeAll: () => {
      for (const client of jsonClients) client.close();
      for (const socket of sockets) socket.disconnect();
    },
  };
}
