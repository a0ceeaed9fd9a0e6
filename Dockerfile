# Referee's image: the CLI, the configs and task files it ships, bubblewrap for code tasks and
# Python 3 for Python tasks. Used by `referee launch k8s --image ...` (shards run
# `node /app/dist/cli/main.js`, suites are found relative to /app).
#   docker build -t referee:dev .
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap python3 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# `npm ci` runs `prepare` (the build); dev dependencies go once dist/ is built.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["--help"]
