FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build
ENV NODE_ENV=production
# A bounded heap keeps RSS bounded: garbage from written events is freed when the heap nears its limit.
ENV NODE_OPTIONS=--max-old-space-size=256
EXPOSE 3000
CMD ["node", "dist/main.js"]
