# One image for the five apps; docker-compose picks the app with APP.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.assets.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
USER node
# The V8 flags scripts/stack/common.sh gives every app process (NODE_APP_OPTIONS there says why).
ENV NODE_OPTIONS=--max-semi-space-size=64
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
