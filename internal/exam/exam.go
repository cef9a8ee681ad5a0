package exam

import (
	"context"
	"time"

	"qualify/internal/audit"
	"qualify/internal/bank"
)

// Status is an exam definition's state.
type Status string

// Exam states.
const (
	Draft     Status = "draft"
	Published Status = "published"
	Closed    Status = "closed"
)

// ReviewPolicy is what a candidate sees after submitting.
type ReviewPolicy string

// Review policies.
const (
	ReviewNone    ReviewPolicy = "none"    // nothing until results are released, then the score
	ReviewScore   ReviewPolicy = "score"   // score and pass once released
	ReviewAnswers ReviewPolicy = "answers" // also their own answers and per-question points
)

// Eligibility says who may sit an exam; empty lists mean no restriction on that dimension.
type Eligibility struct {
	OrgIDs     []int64  // the cadre's org must lie in one of these subtrees
	PostLevels []string // the cadre's current post level
	Ranks      []string // the cadre's current rank (职级) code
	CadreIDs   []int64  // named cadres
}

// Exam is an exam definition.
type Exam struct {
	ID              int64
	Title           string
	SubjectCode     string
	DurationMinutes int
	OpensAt         time.Time
	ClosesAt        time.Time
	PassScore       float64
	MaxAttempts     int
	Blueprint       Blueprint
	Eligibility     Eligibility
	ReviewPolicy    ReviewPolicy
	ScoringOverride bank.Scoring // multiple-choice rule for the whole exam ("" = per item)
	Status          Status
	ResultsReleased *time.Time
	OrgID           *int64
	CreatedBy       *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// AttemptStatus is an attempt's state.
type AttemptStatus string

// Attempt states: in progress, submitted and awaiting markers, graded.
const (
	InProgress AttemptStatus = "in_progress"
	Grading    AttemptStatus = "grading"
	Graded     AttemptStatus = "graded"
)

// ItemRef names one version of an item.
type ItemRef struct {
	ItemID  int64
	Version int
}

// SaveOutcome is what a conditional save did.
type SaveOutcome int

// Save outcomes.
const (
	Saved        SaveOutcome = iota
	SaveStale                // a save with an equal or higher seq exists
	SaveClosed               // submitted, past the deadline, or held by another device
	SaveNotFound             // no such attempt
)

// Attempt is one sitting of an exam (答卷).
type Attempt struct {
	ID              int64
	ExamID          int64
	CadreID         int64
	UserID          *int64
	No              int
	Status          AttemptStatus
	Paper           Paper
	StartedAt       time.Time
	Deadline        time.Time
	SubmittedAt     *time.Time
	SubmittedBy     string // "candidate" or "server"
	DeviceID        string
	ObjectiveScore  *float64
	SubjectiveScore *float64
	TotalScore      *float64
	Passed          *bool
	ResultHash      string
}

// Answer is a saved answer, in the candidate's display letters.
type Answer struct {
	AttemptID int64
	ItemID    int64
	Value     []byte // JSON as the candidate sent it
	Seq       int64
	SavedAt   time.Time
	Points    *float64
}

// IntegrityEvent is something the client reported (focus loss, copy, paste) or the server saw.
type IntegrityEvent struct {
	AttemptID int64
	Kind      string
	Detail    string
	ClientAt  *time.Time
	ServerAt  time.Time
}

// Task is a written answer to be marked, without candidate identity.
type Task struct {
	ID        int64
	AttemptID int64
	ItemID    int64
	Version   int
	MaxPoints float64
	Tolerance float64
	Stage     Stage
	Final     *float64
	Marks     []Mark
}

// Mark is one marker's score on a task.
type Mark struct {
	TaskID   int64
	Role     Stage // first, second, third, arbitration
	MarkerID int64
	Points   float64
	Comment  string
	At       time.Time
}

// Store is what exams need from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateExam(ctx context.Context, e *Exam) error
	UpdateExam(ctx context.Context, e Exam) error
	ExamByID(ctx context.Context, id int64) (*Exam, error)
	ListExams(ctx context.Context, statuses []Status) ([]Exam, error)
	// Pool returns the published, not retired items of a subject as paper assembly sees them.
	Pool(ctx context.Context, subject string) ([]PoolItem, error)
	// ItemsAt returns the given item versions, keyed by them.
	ItemsAt(ctx context.Context, refs []ItemRef) (map[ItemRef]bank.Item, error)

	CreateAttempt(ctx context.Context, a *Attempt) error
	AttemptByID(ctx context.Context, id int64) (*Attempt, error)
	AttemptsOf(ctx context.Context, examID, cadreID int64) ([]Attempt, error)
	AttemptsOfCadre(ctx context.Context, cadreID int64) ([]Attempt, error)
	// LockAttempt re-reads an attempt and holds it until the transaction ends, so that one
	// submission or grading step runs at a time and saves (which read it FOR SHARE) wait for it.
	LockAttempt(ctx context.Context, id int64) (*Attempt, error)
	SetDevice(ctx context.Context, id int64, device string) error
	// CloseAttempt moves an in-progress attempt to status; false when it was no longer in progress.
	CloseAttempt(ctx context.Context, a Attempt) (bool, error)
	UpdateAttemptResult(ctx context.Context, a Attempt) error
	// SaveAnswers stores and journals each of several saves of distinct answers, atomically, if
	// its attempt is still in progress before the save's time, held by its device (or none), and
	// its seq is above the stored one; the outcomes follow the input.
	SaveAnswers(ctx context.Context, saves []AnswerSave) ([]SaveOutcome, error)
	AnswerSeq(ctx context.Context, attemptID, itemID int64) (int64, error)
	Answers(ctx context.Context, attemptID int64) ([]Answer, error)
	SetAnswerPoints(ctx context.Context, attemptID, itemID int64, points float64) error
	// SetAnswersPoints is SetAnswerPoints for many answers of one attempt (item ID → points).
	SetAnswersPoints(ctx context.Context, attemptID int64, points map[int64]float64) error
	DueAttempts(ctx context.Context, now time.Time, limit int) ([]int64, error)
	AddIntegrityEvent(ctx context.Context, e IntegrityEvent) error
	IntegrityEvents(ctx context.Context, attemptID int64) ([]IntegrityEvent, error)

	CreateTask(ctx context.Context, t *Task) error
	TaskByID(ctx context.Context, id int64) (*Task, error)
	OpenTasks(ctx context.Context, markerID int64, stages []Stage, limit int) ([]Task, error)
	AddMark(ctx context.Context, m Mark) (bool, error)
	SetTaskStage(ctx context.Context, t Task) error
	TasksOfAttempt(ctx context.Context, attemptID int64) ([]Task, error)
}

// CadreFacts is what exams need to know of a candidate.
type CadreFacts interface {
	// CadreScope returns the cadre's org path, current post level and rank code.
	CadreScope(ctx context.Context, cadreID int64) (orgPath, postLevel, rank string, err error)
	// OrgPath returns an org's materialized path.
	OrgPathOf(ctx context.Context, orgID int64) (string, error)
}

// CertificateIssuer issues a certificate for a passed attempt, in the caller's transaction.
type CertificateIssuer interface {
	IssueForAttempt(ctx context.Context, p PassedAttempt) (number string, err error)
	// CertificateOf returns the number of the certificate an attempt earned ("" when none).
	CertificateOf(ctx context.Context, attemptID int64) (string, error)
}

// PassedAttempt is what the issuer needs of a pass.
type PassedAttempt struct {
	AttemptID   int64
	CadreID     int64
	SubjectCode string
	Score       float64
	PassedAt    time.Time
	Hash        string // SHA-256 over the graded attempt (paper, answers, points)
}

// Auditor appends to the audit log in the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}
