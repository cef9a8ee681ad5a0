import { http } from './http'

export interface Option {
  key: string
  text: string
}

export interface Section {
  type: string
  typeName?: string
  count: number
  points: number
  difficulty?: { min: number; max: number } | null
  tags?: string[]
}

export interface Exam {
  id: number
  title: string
  subjectCode: string
  subjectName: string
  durationMinutes: number
  opensAt: string
  closesAt: string
  passScore: number
  totalPoints: number
  maxAttempts: number
  status: string
  reviewPolicy: string
  blueprint: { sections: Section[]; tolerance: number }
  eligibility: { orgIds?: number[]; postLevels?: string[]; cadreIds?: number[] }
  resultsReleasedAt?: string
}

export interface MyExam extends Exam {
  state: 'not_open' | 'available' | 'in_progress' | 'submitted' | 'passed' | 'failed' | 'attempts_exhausted' | 'closed'
  attemptsUsed: number
  lastAttemptId?: number
}

/** Answer is a candidate's answer in the contract's shapes. */
export type Answer = string | string[] | boolean | null

export interface AttemptQuestion {
  itemId: number
  type: string
  stem: string
  options?: Option[]
  points: number
  blanks?: number
  answer?: Answer
  seq?: number
  savedAt?: string
}

export interface Attempt {
  id: number
  examId: number
  examTitle: string
  attemptNo: number
  status: string
  startedAt: string
  deadline: string
  serverTime: string
  questions: AttemptQuestion[]
}

export interface SaveAnswerResult {
  itemId: number
  seq: number
  savedAt: string
}

export interface SubmitResult {
  status: string
  totalScore?: number
  passed?: boolean
}

export interface AttemptResult {
  status: string
  objectiveScore: number | null
  subjectiveScore: number | null
  totalScore: number | null
  passed: boolean | null
  released: boolean
  certificateNumber: string | null
}

export interface IntegrityAnswer {
  count: number
  warning: string
}

export interface ExamInput {
  title: string
  subjectCode: string
  durationMinutes: number
  opensAt: string
  closesAt: string
  passScore: number
  maxAttempts: number
  blueprint: { sections: Section[]; tolerance?: number }
  reviewPolicy?: string
}

export interface Shortfall {
  location: string
  field?: string
  message: string
}

export interface Sitting {
  attemptId: number
  cadreId: number
  cadreName: string
  orgName: string
  attemptNo: number
  status: string
  startedAt: string
  deadline: string
  submittedAt?: string
  submittedBy?: string
  answered: number
  questions: number
  totalScore?: number
  passed?: boolean
  integrityCount: number
  flagged: boolean
}

export interface IntegrityEvent {
  kind: string
  detail: string
  clientAt?: string
  serverAt: string
}

export interface ItemStat {
  itemId: number
  version: number
  type: string
  n: number
  facility: number
  discrimination: number
  pointBiserial: number
  optionCounts: Record<string, number>
  flags: string[]
}

export interface Report {
  exam: Exam
  sat: number
  finished: number
  graded: number
  passed: number
  passRate: number
  meanScore: number
  distribution: number[]
  meanMinutes: number
  medianMinutes: number
  integrityFlagged: number
  sittings: Sitting[]
  items: ItemStat[]
}

export const examApi = {
  myExams: () => http.get<MyExam[]>('/me/exams'),
  start: (examId: number, deviceId: string, takeover = false) =>
    http.post<Attempt>(`/exams/${examId}/attempts`, undefined, {
      silent: true,
      headers: takeover ? { 'X-Device-ID': deviceId, 'X-Device-Takeover': 'true' } : { 'X-Device-ID': deviceId },
    }),
  attempt: (id: number) => http.get<Attempt>(`/attempts/${id}`),
  saveAnswer: (attemptId: number, itemId: number, answer: Answer, seq: number) =>
    http.put<SaveAnswerResult>(`/attempts/${attemptId}/answers/${itemId}`, { answer, seq }, { silent: true }),
  submit: (attemptId: number) => http.post<SubmitResult>(`/attempts/${attemptId}/submit`),
  result: (attemptId: number) => http.get<AttemptResult>(`/attempts/${attemptId}/result`),
  reportEvent: (attemptId: number, kind: string, detail: string) =>
    http.post<IntegrityAnswer>(`/attempts/${attemptId}/events`, { kind, detail, clientAt: new Date().toISOString() }, { silent: true }),

  list: () => http.get<Exam[]>('/exams'),
  get: (id: number) => http.get<Exam>(`/exams/${id}`),
  create: (e: ExamInput) => http.post<Exam>('/exams', e, { silent: true }),
  feasibility: (subjectCode: string, blueprint: ExamInput['blueprint']) =>
    http.post<{ feasible: boolean; shortfalls: Shortfall[] }>('/exams/feasibility', { subjectCode, blueprint }, { silent: true }),
  publish: (id: number) => http.post<Exam>(`/exams/${id}/publish`),
  release: (id: number) => http.post<Exam>(`/exams/${id}/release`),
  sittings: (id: number) => http.get<Sitting[]>(`/exams/${id}/sittings`),
  attemptEvents: (attemptId: number) => http.get<IntegrityEvent[]>(`/attempts/${attemptId}/events`),
  report: (id: number) => http.get<Report>(`/exams/${id}/report`),
}
