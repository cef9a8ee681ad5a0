// Package cadre holds cadres (干部), their post history (任职经历) and the rank ladder
// (职务与职级, domain.md §1), the pure derivations over that history (years of work,
// grassroots years, time in grade ...), and the service that manages cadres within an org scope.
package cadre

import (
	"time"

	"qualify/internal/platform/civil"
)

// Gender is a cadre's sex as recorded in the personnel file.
type Gender string

// The genders.
const (
	Male   Gender = "male"   // 男
	Female Gender = "female" // 女
)

// GenderNames are the Chinese names of the genders.
var GenderNames = map[Gender]string{Male: "男", Female: "女"}

// Education is the highest education level (学历).
type Education string

// The education levels, high to low.
const (
	Doctorate Education = "doctorate" // 博士研究生
	Master    Education = "master"    // 硕士研究生
	Bachelor  Education = "bachelor"  // 大学本科
	College   Education = "college"   // 大学专科
	Secondary Education = "secondary" // 中专、高中
	Below     Education = "below"     // 初中及以下
)

// Educations lists the education levels, highest first.
var Educations = []Education{Doctorate, Master, Bachelor, College, Secondary, Below}

// EducationNames are the Chinese names of the education levels.
var EducationNames = map[Education]string{Doctorate: "博士研究生", Master: "硕士研究生", Bachelor: "大学本科",
	College: "大学专科", Secondary: "中专/高中", Below: "初中及以下"}

// AppointmentType is how a post was conferred (任用方式).
type AppointmentType string

// The appointment types.
const (
	Election    AppointmentType = "election"    // 选任制
	Appointment AppointmentType = "appointment" // 委任制
	Examination AppointmentType = "examination" // 考任制
	Engagement  AppointmentType = "engagement"  // 聘任制
)

// AppointmentTypeNames are the Chinese names of the appointment types.
var AppointmentTypeNames = map[AppointmentType]string{Election: "选任制", Appointment: "委任制", Examination: "考任制", Engagement: "聘任制"}

// Cadre is a person in the cadre file (干部档案).
type Cadre struct {
	ID            int64
	OrgID         int64
	OrgName       string // filled on reads
	OrgPath       string // filled on reads; the scope check compares it
	Code          string // 干部编号, unique
	Name          string
	Gender        Gender
	BirthDate     civil.Date
	Ethnicity     string
	Education     Education
	PartyJoinDate civil.Date // zero: not a Party member
	WorkStartDate civil.Date
	Reserve       bool // 后备干部
	CurrentPost   string
	PostLevel     string // "" when the cadre holds no leadership post
	RankCategory  string // "" when no rank
	RankCode      string
	PostCategory  string
	TermStart     civil.Date
	TermEnd       civil.Date
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// PostRecord is one line of a cadre's post history. End is exclusive: the day the cadre left
// the post (a successor post usually starts the same day); the zero End means "still held".
type PostRecord struct {
	ID              int64
	CadreID         int64
	Title           string
	PostLevel       string
	RankCategory    string
	RankCode        string
	PostCategory    string
	UnitOrgID       *int64
	UnitName        string
	Start           civil.Date
	End             civil.Date
	Grassroots      bool       // counts as 基层工作经历 (domain.md §2.3)
	Leadership      bool       // a leadership post (领导职务) rather than a rank
	ProbationEnd    civil.Date // exclusive: the first day after the probation (试用期); zero: none
	AppointmentType AppointmentType
}

// Open reports whether the record has no end.
func (p PostRecord) Open() bool { return p.End.IsZero() }

// Facts are the values derived from a cadre's history as of a date.
type Facts struct {
	AsOf              civil.Date
	YearsOfWork       int
	Grassroots        Tenure
	TimeInGrade       Tenure // zero when the cadre holds no grade on AsOf
	LastPromotion     civil.Date
	InProbation       bool
	PostsAtLevelBelow int // distinct posts held at the level below the current one
}

// Profile is a cadre with their post history and derived facts.
type Profile struct {
	Cadre Cadre
	Posts []PostRecord
	Facts Facts
}
