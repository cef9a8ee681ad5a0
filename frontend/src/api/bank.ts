import { download, http, request, type Page } from './http'
import type { Option } from './exam'
import type { Criterion } from './grading'

export interface Subject {
  code: string
  name: string
}

export interface Question {
  id: number
  ref: string
  version: number
  publishedVersion: number
  subject: string
  type: string
  typeName: string
  stem: string
  options?: Option[]
  answer?: unknown
  scoring?: string
  points: number
  explanation: string
  basis: { document: string; article?: string }[]
  knowledgePoints: string[]
  competencies: string[]
  difficulty: number
  cognitiveLevel?: string
  reviewBy?: string | null
  referenceAnswer?: string
  rubric?: Criterion[]
  tolerance?: number
  status: string
  reviewComment?: string
  updatedAt: string
}

export type QuestionInput = Omit<Question, 'id' | 'version' | 'publishedVersion' | 'typeName' | 'status' | 'updatedAt' | 'reviewComment'>

export interface ImportLine {
  location: string
  field?: string
  message: string
}

export interface ImportResult {
  imported: number
  updated: number
  unchanged: number
  errors: ImportLine[]
  warnings: ImportLine[]
}

export interface QuestionQuery {
  subject?: string
  type?: string
  status?: string
  q?: string
  difficulty?: number
  page?: number
  pageSize?: number
}

export const bankApi = {
  subjects: () => http.get<Subject[]>('/subjects'),
  search: (q: QuestionQuery) => http.get<Page<Question>>('/questions', { ...q }),
  get: (id: number) => http.get<Question>(`/questions/${id}`),
  create: (q: QuestionInput) => http.post<Question>('/questions', q, { silent: true }),
  update: (id: number, q: QuestionInput) => http.put<Question>(`/questions/${id}`, q, { silent: true }),
  transition: (id: number, op: 'submit' | 'approve' | 'reject' | 'retire', comment = '') =>
    http.post<Question>(`/questions/${id}/${op}`, { comment }),
  /** importFile uploads a bank file; a 422 still carries the error list, so the body is read either way. */
  importFile: (file: File, subject?: string) => {
    const form = new FormData()
    form.append('file', file)
    return request<ImportResult>('/questions/import', { method: 'POST', form, query: { subject }, silent: true })
  },
  exportFile: (format: string, subject?: string) => {
    const ext: Record<string, string> = { yaml: 'yaml', gift: 'gift', moodlexml: 'xml', qti: 'zip', xlsx: 'xlsx' }
    return download('/questions/export', `questions-${subject || 'all'}.${ext[format] || format}`, { format, subject })
  },
  template: () => download('/questions/template', 'questions-template.xlsx'),
}
