import { http } from './http'

export interface Criterion {
  criterion: string
  points: number
}

/** GradingTask is one written answer to mark; it never names the candidate. */
export interface GradingTask {
  id: number
  stage: 'first' | 'second' | 'third' | 'arbitration' | string
  stem: string
  rubric: Criterion[]
  referenceAnswer: string
  answer: string
  maxPoints: number
  tolerance: number
}

export const gradingApi = {
  tasks: (limit = 50) => http.get<GradingTask[]>('/grading/tasks', { limit }),
  mark: (id: number, points: number, comment: string) =>
    http.post<{ id: number; stage: string; finalScore: number | null }>(`/grading/tasks/${id}`, { points, comment }, { silent: true }),
}
