import { http, type Page } from './http'

export interface Cadre {
  id: number
  code: string
  name: string
  gender: string
  genderName: string
  birthDate: string
  orgId: number
  orgName: string
  postLevel: string | null
  postLevelName: string
  rank: string | null
  rankName: string
  postCategory: string
  postCategoryName: string
  reserve: boolean
  currentPost: string
  educationName: string
}

export interface Post {
  id: number
  title: string
  postLevelName: string
  rankName: string
  unitName: string
  startDate: string
  endDate: string | null
  grassroots: boolean
  leadership: boolean
}

export interface CadreDetail extends Cadre {
  posts: Post[]
  asOf: string
  yearsOfWork: number
  grassrootsYears: number
  timeInGradeYears: number
  inProbation: boolean
}

export interface OrgNode {
  id: number
  name: string
  parentId?: number | null
  path?: string
}

export const cadreApi = {
  search: (q: { q?: string; orgId?: number; postLevel?: string; page?: number; pageSize?: number }) => http.get<Page<Cadre>>('/cadres', q),
  get: (id: number) => http.get<CadreDetail>(`/cadres/${id}`),
  orgs: () => http.get<OrgNode[]>('/orgs'),
}
