FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY views ./views
COPY public ./public
COPY scripts ./scripts
EXPOSE 3000
USER node
CMD ["node", "--no-node-snapshot", "src/main.ts"]
