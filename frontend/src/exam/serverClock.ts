// ServerClock follows the server's clock: the offset is taken once from the attempt's serverTime,
// then time advances by the monotonic performance clock, so changing the local clock changes nothing.
export class ServerClock {
  private readonly base: number
  private readonly mark: number
  private readonly mono: () => number

  constructor(serverTime: string, mono: () => number = () => performance.now()) {
    this.mono = mono
    this.base = Date.parse(serverTime)
    this.mark = mono()
  }

  /** now is the server's current time in milliseconds since the epoch. */
  now(): number {
    return this.base + (this.mono() - this.mark)
  }

  /** remaining is the time left until deadline, never below zero. */
  remaining(deadline: string): number {
    return Math.max(0, Date.parse(deadline) - this.now())
  }
}

/** hms formats milliseconds as h:mm:ss. */
export function hms(ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
}
