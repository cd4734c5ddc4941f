// The console is served by our own HTTP server (server/index.ts); Next only renders pages.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Type-check only the console here; `npm run typecheck` covers the whole project.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
};

export default nextConfig;
