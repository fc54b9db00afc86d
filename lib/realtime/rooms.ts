import type { SupportRoom } from "../chat/types";

/** Room names, built in one place. Sockets join `user:<id>` and, for control staff, `control` and support rooms. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  /** Every connected control staff member and admin. */
  control: () => "control",
  support: (room: SupportRoom) => `support:${room}`,
};
