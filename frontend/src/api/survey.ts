// Training needs surveys (培训需求调查): owners draft, publish, close and read results; cadres answer.
import { http, type Page } from './http'

export type QuestionKind = 'single' | 'multiple' | 'rating' | 'text'
export interface SurveyOption { key: string; text: string }
export interface SurveyQuestion { key: string; kind: QuestionKind; kindName?: string; text: string; options: SurveyOption[]; required: boolean }
export interface SurveyTarget { orgId: number | null; orgName?: string; postLevels: string[] }
export interface Survey {
  id: number; ownerOrgId: number; ownerOrgName: string; title: string; intro: string; opensAt: string; closesAt: string
  target: SurveyTarget; questions: SurveyQuestion[]; status: 'draft' | 'published' | 'closed' | string
  createdBy?: string; createdAt: string; publishedAt: string | null; closedAt: string | null
}
export interface SurveyInput {
  title: string; intro: string; opensAt: string; closesAt: string; target: { orgId: number | null; postLevels: string[] }; questions: SurveyQuestion[]
}
export interface SurveyAnswer { questionKey: string; choices?: string[]; rating?: number; text?: string }
export interface SurveyResponse { id: number; surveyId: number; answers: SurveyAnswer[]; submittedAt: string; updatedAt: string }
export interface MySurvey { survey: Survey; answered: boolean; response: SurveyResponse | null }
export interface OptionCount { key: string; text: string; count: number; share: number }
export interface Tally {
  group: string; label: string; targeted: number; responded: number; answered: number; responseRate: number
  options: OptionCount[]; ratingCounts: number[]; meanRating: number | null
}
export interface QuestionResult {
  key: string; kind: QuestionKind; text: string; overall: Tally; groups: Tally[]; texts: { group: string; groupLabel: string; text: string }[]; required: boolean
}
export interface SurveyResults {
  surveyId: number; title: string; status: string; by: string; byName: string; asOf: string; targeted: number; responded: number
  responseRate: number; groups: { key: string; label: string; targeted: number; responded: number; responseRate: number }[]; questions: QuestionResult[]
}
export const DIMENSIONS = ['level', 'department', 'gender', 'age_band', 'education', 'experience'] as const

export const surveyApi = {
  list: (page = 1, pageSize = 50) => http.get<Page<Survey>>('/surveys', { page, pageSize }),
  get: (id: number) => http.get<Survey>(`/surveys/${id}`),
  create: (s: SurveyInput) => http.post<Survey>('/surveys', s, { silent: true }),
  publish: (id: number) => http.post<Survey>(`/surveys/${id}/publish`),
  close: (id: number) => http.post<Survey>(`/surveys/${id}/close`),
  results: (id: number, by: string) => http.get<SurveyResults>(`/surveys/${id}/results`, { by }),
  mine: () => http.get<MySurvey[]>('/me/surveys'),
  answer: (id: number, answers: SurveyAnswer[]) => http.post<SurveyResponse>(`/surveys/${id}/responses`, { answers }, { silent: true }),
}
