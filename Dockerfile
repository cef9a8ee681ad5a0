# Build the web application and the binary, then run it on a small base image.
FROM node:20-bookworm AS web
WORKDIR /src
COPY frontend/ frontend/
RUN if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/frontend/dist/ frontend/dist/
RUN CGO_ENABLED=0 go build -trimpath -o /out/qualify ./cmd/qualify

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/qualify /usr/local/bin/qualify
COPY question-bank/ /opt/qualify/question-bank/
WORKDIR /opt/qualify
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["qualify"]
CMD ["serve"]
