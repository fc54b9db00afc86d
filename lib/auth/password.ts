import bcrypt from "bcryptjs";

const COST = 12;
/** Compared against when the email is unknown, so a miss costs as long as a hit. */
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  dummyHash ??= bcrypt.hash("not-a-password", COST);
  const matches = await bcrypt.compare(password, hash ?? (await dummyHash));
  return hash !== null && matches;
}

export const PASSWORD_MIN_LENGTH = 8;
