// The offline answer queue of an exam attempt. Every change is written to storage with its seq
// before it is sent; sends go out one at a time in seq order. A network failure keeps the entry
// and retries (on the online event or a timer); 409 stale_answer means a newer seq is already on
// the server (the entry is dropped); 409 attempt_closed stops the queue for good.
import { ApiError } from '@/api/http'
import type { Answer, AttemptQuestion, SaveAnswerResult } from '@/api/exam'

/** KeyValueStorage is the part of localStorage the queue uses (injectable for tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** PendingAnswer is one change not yet acknowledged by the server. */
export interface PendingAnswer {
  itemId: number
  answer: Answer
  seq: number
}

export type QueueState = 'idle' | 'saving' | 'offline' | 'closed'

export interface AnswerQueueOptions {
  attemptId: number
  storage: KeyValueStorage
  send: (itemId: number, answer: Answer, seq: number) => Promise<SaveAnswerResult>
  onSaved?: (itemId: number, seq: number, savedAt: string) => void
  onState?: (state: QueueState) => void
  onClosed?: (err: ApiError) => void
  onRejected?: (itemId: number, err: ApiError) => void
  retryMs?: number
}

interface Stored {
  seq: number
  pending: PendingAnswer[]
}

export class AnswerQueue {
  private readonly o: AnswerQueueOptions
  private readonly key: string
  private seq = 0
  private pending: PendingAnswer[] = []
  private flushing: Promise<void> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  state: QueueState = 'idle'

  constructor(o: AnswerQueueOptions) {
    this.o = o
    this.key = `qualify.attempt.${o.attemptId}.answers`
    const s = this.read()
    this.seq = s.seq
    this.pending = s.pending
  }

  private read(): Stored {
    try {
      const raw = this.o.storage.getItem(this.key)
      if (raw) {
        const s = JSON.parse(raw) as Stored
        return { seq: Number(s.seq) || 0, pending: Array.isArray(s.pending) ? s.pending : [] }
      }
    } catch {
      /* a damaged entry starts afresh */
    }
    return { seq: 0, pending: [] }
  }

  private write(): void {
    this.o.storage.setItem(this.key, JSON.stringify({ seq: this.seq, pending: this.pending } satisfies Stored))
  }

  private setState(s: QueueState): void {
    if (this.state === s) return
    this.state = s
    this.o.onState?.(s)
  }

  /** lastSeq is the highest seq handed out so far. */
  get lastSeq(): number {
    return this.seq
  }

  /** pendingAnswers lists the unsent changes in seq order. */
  get pendingAnswers(): PendingAnswer[] {
    return [...this.pending].sort((a, b) => a.seq - b.seq)
  }

  isPending(itemId: number): boolean {
    return this.pending.some((p) => p.itemId === itemId)
  }

  /**
   * restore merges the server's saved answers with the unsent local ones: for each question the
   * higher seq wins. It returns the answers to show, and raises the seq counter above every seq
   * seen so that new changes are never stale.
   */
  restore(questions: AttemptQuestion[]): Map<number, Answer> {
    const out = new Map<number, Answer>()
    const serverSeq = new Map<number, number>()
    for (const q of questions) {
      serverSeq.set(q.itemId, q.seq ?? 0)
      if (q.answer !== undefined && q.answer !== null) out.set(q.itemId, q.answer)
      this.seq = Math.max(this.seq, q.seq ?? 0)
    }
    this.pending = this.pending.filter((p) => {
      if (!serverSeq.has(p.itemId)) return false
      if (p.seq > (serverSeq.get(p.itemId) ?? 0)) {
        out.set(p.itemId, p.answer)
        return true
      }
      return false
    })
    for (const p of this.pending) this.seq = Math.max(this.seq, p.seq)
    this.write()
    return out
  }

  /** change records a new answer (stored first, with the next seq) and starts sending. */
  change(itemId: number, answer: Answer): number {
    if (this.state === 'closed') return 0
    const seq = ++this.seq
    // Only the latest change of a question matters: an older one would be answered as stale.
    this.pending = this.pending.filter((p) => p.itemId !== itemId)
    this.pending.push({ itemId, answer, seq })
    this.write()
    void this.flush()
    return seq
  }

  /** flush sends the pending changes in seq order; concurrent calls share one run. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing
    if (this.state === 'closed') return Promise.resolve()
    this.clearTimer()
    this.flushing = this.run().finally(() => {
      this.flushing = null
    })
    return this.flushing
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = this.pendingAnswers[0]
      if (!next) {
        this.setState('idle')
        return
      }
      this.setState('saving')
      try {
        const r = await this.o.send(next.itemId, next.answer, next.seq)
        this.drop(next)
        this.o.onSaved?.(next.itemId, r.seq ?? next.seq, r.savedAt)
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, 'network_error', '', String(e))
        if (err.code === 'stale_answer') {
          this.drop(next) // a newer answer is already on the server
          continue
        }
        if (err.code === 'attempt_closed') {
          this.setState('closed')
          this.o.onClosed?.(err)
          return
        }
        if (err.isNetwork || err.status >= 500 || err.status === 429 || err.status === 401) {
          this.setState('offline')
          this.schedule()
          return
        }
        // Any other refusal will not change on retry: report it and go on with the rest.
        this.drop(next)
        this.o.onRejected?.(next.itemId, err)
      }
    }
  }

  private drop(p: PendingAnswer): void {
    // The entry may have been replaced by a newer change while it was in flight: keep that one.
    this.pending = this.pending.filter((x) => !(x.itemId === p.itemId && x.seq === p.seq))
    this.write()
  }

  private schedule(): void {
    this.clearTimer()
    this.timer = setTimeout(() => void this.flush(), this.o.retryMs ?? 5000)
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** online is called when the browser regains the network. */
  online(): Promise<void> {
    return this.flush()
  }

  /** dispose stops the retry timer (the stored entries stay). */
  dispose(): void {
    this.clearTimer()
  }

  /** forget removes the stored state (after the attempt is submitted). */
  forget(): void {
    this.clearTimer()
    this.pending = []
    this.o.storage.removeItem(this.key)
  }
}
