import { download, http, request, type Page } from './http'

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

export interface ExceptionInput {
  cadreId: number; targetPostLevel: string; type: 'exceptional' | 'skip_level'; justification: string
  approver: string; documentNo: string; rules: string[]; note: string
}
export interface ExceptionRecord extends ExceptionInput {
  id: number; typeName: string; justificationText: string; createdAt: string; createdBy: string
}
export type ComplianceKind = 'overdue' | 'due30' | 'due90' | 'expiring'
export interface ComplianceItem {
  cadreId: number; cadreCode: string; cadreName: string; orgId: number; orgName: string; currentPost: string; postLevel: string
  termStart: string; subject: { code: string; name: string }; deadline: string; daysLeft: number; certificateNumber?: string; detail: string
}
export interface ComplianceAction { id: number; cadreId: number; action: string; note: string; documentNo: string; createdAt: string; createdBy: string }

/** postFile sends a multipart upload and returns the answer as a Blob (the batch result workbook). */
async function postFile(path: string, file: File): Promise<Blob> {
  const form = new FormData()
  form.append('file', file)
  return request<Blob>(path, { method: 'POST', form, responseType: 'blob' })
}

export const eligibilityExtraApi = {
  batch: (file: File) => postFile('/eligibility/batch', file),
  template: () => download('/eligibility/batch/template', '批量资格核查名单模板.xlsx'),
  exceptions: (cadreId: number) => http.get<ExceptionRecord[]>('/eligibility/exceptions', { cadreId }),
  createException: (x: ExceptionInput) => http.post<ExceptionRecord>('/eligibility/exceptions', x, { silent: true }),
  compliance: (kind: ComplianceKind, page: number, pageSize: number, orgId?: number) => http.get<Page<ComplianceItem>>('/compliance', { kind, page, pageSize, orgId }),
  exportCompliance: (kind: ComplianceKind, name: string, orgId?: number) => download('/compliance/export', name, { kind, orgId }),
  recordAction: (a: { cadreId: number; action: string; note: string; documentNo: string }) => http.post<ComplianceAction>('/compliance/actions', a, { silent: true }),
}
