import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AnswerQueue, type KeyValueStorage } from '@/exam/answerQueue'
import { ApiError } from '@/api/http'
import type { Answer, SaveAnswerResult } from '@/api/exam'
import { ServerClock } from '@/exam/serverClock'

class MemoryStorage implements KeyValueStorage {
  data = new Map<string, string>()
  getItem(k: string) {
    return this.data.get(k) ?? null
  }
  setItem(k: string, v: string) {
    this.data.set(k, v)
  }
  removeItem(k: string) {
    this.data.delete(k)
  }
}

interface Sent {
  itemId: number
  answer: Answer
  seq: number
}

/** FakeServer keeps the highest seq per item, like the real one, and can be taken offline. */
class FakeServer {
  online = true
  closed = false
  stored = new Map<number, { answer: Answer; seq: number }>()
  log: Sent[] = []
  send = async (itemId: number, answer: Answer, seq: number): Promise<SaveAnswerResult> => {
    await Promise.resolve()
    if (!this.online) throw new ApiError(0, 'network_error', '网络错误', '网络连接失败')
    if (this.closed) throw new ApiError(409, 'attempt_closed', '冲突', '考试已结束')
    this.log.push({ itemId, answer, seq })
    const cur = this.stored.get(itemId)
    if (cur && seq <= cur.seq) throw new ApiError(409, 'stale_answer', '冲突', '答案已被更新的版本覆盖')
    this.stored.set(itemId, { answer, seq })
    return { itemId, seq, savedAt: '2026-11-23T10:00:00+08:00' }
  }
}

const q = (itemId: number, seq = 0, answer?: Answer) => ({ itemId, type: 'single', stem: '', points: 1, seq, answer })

describe('offline answer queue', () => {
  let storage: MemoryStorage
  let server: FakeServer
  beforeEach(() => {
    vi.useFakeTimers()
    storage = new MemoryStorage()
    server = new FakeServer()
  })
  afterEach(() => vi.useRealTimers())

  const make = (extra: Partial<ConstructorParameters<typeof AnswerQueue>[0]> = {}) =>
    new AnswerQueue({ attemptId: 7, storage, send: server.send, retryMs: 1000, ...extra })

  it('writes each change to storage before sending, with increasing seq', async () => {
    const storedAtSend: string[] = []
    const queue = make({
      send: (i, a, s) => {
        storedAtSend.push(storage.getItem('qualify.attempt.7.answers') || '')
        return server.send(i, a, s)
      },
    })
    queue.restore([q(1), q(2)])
    expect(queue.change(1, 'A')).toBe(1)
    expect(queue.change(2, 'B')).toBe(2)
    await queue.flush()
    expect(storedAtSend[0]).toContain('"answer":"A","seq":1')
    expect(storedAtSend[1]).toContain('"answer":"B","seq":2')
    expect(server.log.map((x) => x.seq)).toEqual([1, 2])
    expect(queue.pendingAnswers).toHaveLength(0)
    expect(queue.state).toBe('idle')
  })

  it('keeps answers offline and flushes them in seq order after reconnecting', async () => {
    const states: string[] = []
    const saved: number[] = []
    const queue = make({ onState: (s) => states.push(s), onSaved: (i) => saved.push(i) })
    queue.restore([q(1), q(2), q(3)])
    server.online = false
    queue.change(3, 'C')
    queue.change(1, 'A')
    queue.change(2, 'D')
    queue.change(1, 'B') // replaces the older change of item 1
    await queue.flush()
    expect(queue.state).toBe('offline')
    expect(states).toContain('offline')
    expect(queue.pendingAnswers.map((p) => [p.itemId, p.seq])).toEqual([[3, 1], [2, 3], [1, 4]])

    server.online = true
    await queue.online()
    expect(server.log.map((x) => [x.itemId, x.seq])).toEqual([[3, 1], [2, 3], [1, 4]])
    expect(server.stored.get(1)?.answer).toBe('B')
    expect(queue.state).toBe('idle')
    expect(saved).toEqual([3, 2, 1])
  })

  it('retries on its timer when no online event comes', async () => {
    const queue = make()
    queue.restore([q(1)])
    server.online = false
    queue.change(1, 'A')
    await vi.advanceTimersByTimeAsync(10)
    expect(queue.state).toBe('offline')
    server.online = true
    await vi.advanceTimersByTimeAsync(1100)
    expect(server.stored.get(1)?.answer).toBe('A')
    expect(queue.state).toBe('idle')
  })

  it('survives a reload: unsent answers are restored and the higher seq wins', async () => {
    server.online = false
    const first = make()
    first.restore([q(1), q(2), q(3)])
    first.change(1, 'A') // seq 1, never sent
    first.change(2, 'B') // seq 2, never sent
    await first.flush()
    first.dispose()

    // The server meanwhile holds item 2 at seq 5 (e.g. from another device) and item 3 at seq 4.
    server.stored.set(2, { answer: 'X', seq: 5 })
    server.stored.set(3, { answer: 'Z', seq: 4 })
    server.online = true
    const second = make()
    const merged = second.restore([q(1, 0), q(2, 5, 'X'), q(3, 4, 'Z')])
    expect(merged.get(1)).toBe('A') // local seq 1 > server 0
    expect(merged.get(2)).toBe('X') // server seq 5 > local 2
    expect(merged.get(3)).toBe('Z')
    expect(second.pendingAnswers.map((p) => p.itemId)).toEqual([1])
    await second.flush()
    expect(server.stored.get(1)).toEqual({ answer: 'A', seq: 1 })
    // new changes continue above every seq seen
    expect(second.change(3, 'W')).toBe(6)
  })

  it('treats 409 stale_answer as already superseded and goes on', async () => {
    server.stored.set(1, { answer: 'newer', seq: 10 })
    const rejected: number[] = []
    const queue = make({ onRejected: (i) => rejected.push(i) })
    // a local entry left from before: seq 3 for item 1, seq 4 for item 2
    storage.setItem('qualify.attempt.7.answers', JSON.stringify({ seq: 4, pending: [{ itemId: 1, answer: 'old', seq: 3 }, { itemId: 2, answer: 'B', seq: 4 }] }))
    const reloaded = make({ onRejected: (i) => rejected.push(i) })
    await reloaded.flush()
    expect(server.stored.get(1)?.answer).toBe('newer')
    expect(server.stored.get(2)?.answer).toBe('B')
    expect(reloaded.pendingAnswers).toHaveLength(0)
    expect(reloaded.state).toBe('idle')
    expect(rejected).toEqual([])
    queue.dispose()
  })

  it('stops on 409 attempt_closed and tells the candidate', async () => {
    const closed: string[] = []
    const queue = make({ onClosed: (e) => closed.push(e.code) })
    queue.restore([q(1), q(2)])
    server.closed = true
    queue.change(1, 'A')
    queue.change(2, 'B')
    await queue.flush()
    expect(queue.state).toBe('closed')
    expect(closed).toEqual(['attempt_closed'])
    expect(server.log).toHaveLength(0)
    expect(queue.change(1, 'C')).toBe(0) // no more changes are taken
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.log).toHaveLength(0)
  })

  it('forget clears the stored queue after submission', async () => {
    const queue = make()
    queue.restore([q(1)])
    queue.change(1, 'A')
    await queue.flush()
    queue.forget()
    expect(storage.getItem('qualify.attempt.7.answers')).toBeNull()
  })
})

describe('server clock', () => {
  it('follows the server time from the monotonic clock, not the local wall clock', () => {
    let mono = 1000
    const clock = new ServerClock('2026-11-23T10:00:00+08:00', () => mono)
    expect(clock.remaining('2026-11-23T10:01:00+08:00')).toBe(60000)
    mono += 15000
    expect(clock.remaining('2026-11-23T10:01:00+08:00')).toBe(45000)
    mono += 100000
    expect(clock.remaining('2026-11-23T10:01:00+08:00')).toBe(0)
  })
})
