/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build folder lets a second build (e.g. for e2e work) run beside the one tests use.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite must stay a plain Node require: bundling breaks its file paths and would copy its wasm
  // and data files into publicly served static assets.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
