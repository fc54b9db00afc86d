import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { signIn } from "./sign-in";
import { AppError } from "../errors";
import { TOKEN_TTL_SECONDS } from "../chat/constants";
import type { Role } from "../chat/types";
import { endSessions } from "./end-sessions";

/** next-auth: credentials sign-in, JWT sessions carrying the user id, role and token version. */
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: TOKEN_TTL_SECONDS },
  jwt: { maxAge: TOKEN_TTL_SECONDS },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const forwarded = req?.headers?.["x-forwarded-for"];
        const ip = typeof forwarded === "string" ? (forwarded.split(",")[0]?.trim() ?? null) : null;
        try {
          const user = await signIn(credentials, ip);
          return { id: user.id, name: user.name, email: user.email, role: user.role, ver: user.tokenVersion };
        } catch (error) {
          if (error instanceof AppError) throw new Error(error.code);
          throw error;
        }
      },
    }),
  ],
  events: {
    // Signing out ends the account's sessions everywhere and closes its sockets at once.
    async signOut({ token }) {
      const userId = typeof token?.sub === "string" ? token.sub : null;
      if (userId) await endSessions(userId, "signed out");
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const signedIn = user as typeof user & { role: Role; ver: number };
        token.sub = signedIn.id;
        token.role = signedIn.role;
        token.ver = signedIn.ver;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.sub, role: token.role } };
    },
  },
};
