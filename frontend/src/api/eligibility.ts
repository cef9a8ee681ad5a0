import { http, type Page } from './http'

export interface RuleVerdict {
  code: string
  title: string
  status: 'pass' | 'fail' | 'soft_fail' | 'waived' | 'manual' | string
  detail: string
  basis: string
}

export interface EligibilityCheck {
  id: number
  cadreId: number
  cadreName: string
  targetPostLevel: string
  postCategory: string
  asOf: string
  eligible: boolean
  checkedAt: string
  checkedBy: string
  rules: RuleVerdict[]
}

export interface Ladder {
  levels: { code: string; name: string; ord: number }[]
  categories: { code: string; name: string }[]
}

export const eligibilityApi = {
  ladder: () => http.get<Ladder>('/ladder'),
  check: (req: { cadreId: number; targetPostLevel: string; postCategory: string; asOf?: string }) =>
    http.post<EligibilityCheck>('/eligibility/checks', req, { silent: true }),
  history: (cadreId?: number) => http.get<Page<EligibilityCheck> | EligibilityCheck[]>('/eligibility/checks', { cadreId, pageSize: 20 }),
}
