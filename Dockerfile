# syntax=docker/dockerfile:1
# Build: compile TypeScript (dev dependencies needed here only).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && rm -f dist/.tsbuildinfo

# Production dependencies only: no tsx, pino-pretty, TypeScript or test tools.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Run: compiled JavaScript, migrations and the manifest, as the unprivileged "node" user.
# The CLIs run the same way: docker compose exec app node dist/cli/digest.js --team T --week 2026-11-30
FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json manifest.yml ./
COPY --chown=node:node migrations ./migrations
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 3000: /slack/events and /healthz. 9464: GET /metrics, which listens on METRICS_HOST (default
# 127.0.0.1, so only inside the container) unless told otherwise; docker-compose.yml sets 0.0.0.0
# and publishes it on the host's loopback only.
EXPOSE 3000 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/main.js"]
