package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"qualify/internal/cadre"
	"qualify/internal/training"
)

// ---- training needs surveys ----

type surveyRow struct {
	ID           int64 `gorm:"primaryKey"`
	OwnerOrgID   int64
	Title        string
	Intro        string
	OpensAt      time.Time
	ClosesAt     time.Time
	TargetOrgID  *int64
	TargetLevels string
	Questions    string
	Status       string
	CreatedBy    string
	CreatedAt    time.Time
	PublishedAt  *time.Time
	ClosedAt     *time.Time
}

func (surveyRow) TableName() string { return "surveys" }

// surveyViewRow is a survey read with its owner's and target's org names and paths.
type surveyViewRow struct {
	Survey        surveyRow `gorm:"embedded"`
	OwnerOrgName  string
	OwnerOrgPath  string
	TargetOrgName *string
	TargetOrgPath *string
}

// surveyQuestionDoc is the stored shape of a training.SurveyQuestion.
type surveyQuestionDoc struct {
	Key      string            `json:"key"`
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Options  []surveyOptionDoc `json:"options,omitempty"`
	Required bool              `json:"required"`
}

type surveyOptionDoc struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// surveyAnswerDoc is the stored shape of a training.SurveyAnswer.
type surveyAnswerDoc struct {
	Question string   `json:"q"`
	Choices  []string `json:"c,omitempty"`
	Rating   int      `json:"r,omitempty"`
	Text     string   `json:"t,omitempty"`
}

type surveyResponseRow struct {
	ID          int64 `gorm:"primaryKey"`
	SurveyID    int64
	CadreID     int64
	Answers     string
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

func (surveyResponseRow) TableName() string { return "survey_responses" }

func surveyRowFrom(sv training.Survey) surveyRow {
	qs := make([]surveyQuestionDoc, len(sv.Questions))
	for i, q := range sv.Questions {
		qs[i] = surveyQuestionDoc{Key: q.Key, Kind: string(q.Kind), Text: q.Text, Required: q.Required}
		for _, o := range q.Options {
			qs[i].Options = append(qs[i].Options, surveyOptionDoc{Key: o.Key, Text: o.Text})
		}
	}
	return surveyRow{ID: sv.ID, OwnerOrgID: sv.OwnerOrgID, Title: sv.Title, Intro: sv.Intro, OpensAt: sv.OpensAt.UTC(), ClosesAt: sv.ClosesAt.UTC(),
		TargetOrgID: sv.Target.OrgID, TargetLevels: jsonText(sv.Target.PostLevels), Questions: jsonText(qs), Status: string(sv.Status),
		CreatedBy: sv.CreatedBy, CreatedAt: sv.CreatedAt.UTC(), PublishedAt: utcPtr(sv.PublishedAt), ClosedAt: utcPtr(sv.ClosedAt)}
}

func toSurvey(v surveyViewRow) training.Survey {
	r := v.Survey
	docs := fromJSONText[[]surveyQuestionDoc](r.Questions)
	qs := make([]training.SurveyQuestion, len(docs))
	for i, d := range docs {
		qs[i] = training.SurveyQuestion{Key: d.Key, Kind: training.QuestionKind(d.Kind), Text: d.Text, Required: d.Required}
		for _, o := range d.Options {
			qs[i].Options = append(qs[i].Options, training.SurveyOption{Key: o.Key, Text: o.Text})
		}
	}
	return training.Survey{ID: r.ID, OwnerOrgID: r.OwnerOrgID, OwnerOrgName: v.OwnerOrgName, OwnerOrgPath: v.OwnerOrgPath, Title: r.Title,
		Intro: r.Intro, OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(),
		Target: training.SurveyTarget{OrgID: r.TargetOrgID, OrgName: deref(v.TargetOrgName), OrgPath: deref(v.TargetOrgPath),
			PostLevels: fromJSONText[[]string](r.TargetLevels)},
		Questions: qs, Status: training.SurveyStatus(r.Status), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		PublishedAt: utcPtr(r.PublishedAt), ClosedAt: utcPtr(r.ClosedAt)}
}

func (s *Store) surveysWithOrgs(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("surveys s").Joins("JOIN orgs o ON o.id = s.owner_org_id").Joins("LEFT JOIN orgs t ON t.id = s.target_org_id")
}

const surveyOrgColumns = "s.*, o.name AS owner_org_name, o.path AS owner_org_path, t.name AS target_org_name, t.path AS target_org_path"

func (s *Store) findSurveys(q *gorm.DB) ([]training.Survey, error) {
	var rows []surveyViewRow
	if err := q.Select(surveyOrgColumns).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Survey, len(rows))
	for i, r := range rows {
		out[i] = toSurvey(r)
	}
	return out, nil
}

// CreateSurvey inserts sv and sets its ID.
func (s *Store) CreateSurvey(ctx context.Context, sv *training.Survey) error {
	r := surveyRowFrom(*sv)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	sv.ID = r.ID
	return nil
}

// SurveyByID returns the survey with its orgs' names and paths, or nil.
func (s *Store) SurveyByID(ctx context.Context, id int64) (*training.Survey, error) {
	out, err := s.findSurveys(s.surveysWithOrgs(ctx).Where("s.id = ?", id).Limit(1))
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

// Surveys returns a page of the surveys f selects, newest first, and their total.
func (s *Store) Surveys(ctx context.Context, f training.SurveyFilter) ([]training.Survey, int64, error) {
	q := s.surveysWithOrgs(ctx)
	if f.OwnerOrgID != 0 {
		q = q.Where("s.owner_org_id = ?", f.OwnerOrgID)
	} else {
		q = q.Where(`o.path LIKE ? ESCAPE '\'`, prefixPattern(f.OwnerPathPrefix))
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	size := f.PageSize
	if size < 1 {
		size = 20
	}
	out, err := s.findSurveys(q.Order("s.created_at DESC, s.id DESC").Offset(pageOffset(f.Page, size)).Limit(size))
	return out, total, err
}

// PublishedSurveysOpenAt returns the published surveys taking answers at t.
func (s *Store) PublishedSurveysOpenAt(ctx context.Context, t time.Time) ([]training.Survey, error) {
	return s.findSurveys(s.surveysWithOrgs(ctx).Where("s.status = ? AND s.opens_at <= ? AND s.closes_at > ?", string(training.SurveyPublished), t.UTC(), t.UTC()).
		Order("s.closes_at, s.id"))
}

// SetSurveyStatus writes a survey's status and its published and closed instants.
func (s *Store) SetSurveyStatus(ctx context.Context, sv training.Survey) error {
	return s.conn(ctx).Model(&surveyRow{}).Where("id = ?", sv.ID).Updates(map[string]any{"status": string(sv.Status),
		"published_at": utcPtr(sv.PublishedAt), "closed_at": utcPtr(sv.ClosedAt)}).Error
}

func toSurveyResponse(r surveyResponseRow) training.SurveyResponse {
	docs := fromJSONText[[]surveyAnswerDoc](r.Answers)
	as := make([]training.SurveyAnswer, len(docs))
	for i, d := range docs {
		as[i] = training.SurveyAnswer{QuestionKey: d.Question, Choices: d.Choices, Rating: d.Rating, Text: d.Text}
	}
	return training.SurveyResponse{ID: r.ID, SurveyID: r.SurveyID, CadreID: r.CadreID, Answers: as, SubmittedAt: r.SubmittedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

func answersText(as []training.SurveyAnswer) string {
	docs := make([]surveyAnswerDoc, len(as))
	for i, a := range as {
		docs[i] = surveyAnswerDoc{Question: a.QuestionKey, Choices: a.Choices, Rating: a.Rating, Text: a.Text}
	}
	return jsonText(docs)
}

// SurveyResponseOf returns the cadre's response to the survey, or nil.
func (s *Store) SurveyResponseOf(ctx context.Context, surveyID, cadreID int64) (*training.SurveyResponse, error) {
	var rows []surveyResponseRow
	if err := s.conn(ctx).Where("survey_id = ? AND cadre_id = ?", surveyID, cadreID).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	r := toSurveyResponse(rows[0])
	return &r, nil
}

// PutSurveyResponse inserts r and sets its ID, or, when r.ID is set, replaces its answers.
func (s *Store) PutSurveyResponse(ctx context.Context, r *training.SurveyResponse) error {
	if r.ID != 0 {
		return s.conn(ctx).Model(&surveyResponseRow{}).Where("id = ?", r.ID).Updates(map[string]any{"answers": answersText(r.Answers),
			"updated_at": r.UpdatedAt.UTC()}).Error
	}
	row := surveyResponseRow{SurveyID: r.SurveyID, CadreID: r.CadreID, Answers: answersText(r.Answers), SubmittedAt: r.SubmittedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	r.ID = row.ID
	return nil
}

// SurveyResponses returns every response to a survey by ID.
func (s *Store) SurveyResponses(ctx context.Context, surveyID int64) ([]training.SurveyResponse, error) {
	var rows []surveyResponseRow
	if err := s.conn(ctx).Where("survey_id = ?", surveyID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.SurveyResponse, len(rows))
	for i, r := range rows {
		out[i] = toSurveyResponse(r)
	}
	return out, nil
}

// SurveyPopulation returns the cadres a target covers, by ID, with their orgs' names and paths.
func (s *Store) SurveyPopulation(ctx context.Context, t training.SurveyTarget) ([]cadre.Cadre, error) {
	q := s.cadresWithOrg(ctx).Select(cadreOrgColumns)
	if t.OrgID != nil {
		if t.OrgPath == "" {
			return nil, nil
		}
		q = q.Where(`o.path LIKE ? ESCAPE '\'`, prefixPattern(t.OrgPath))
	}
	if len(t.PostLevels) > 0 {
		q = q.Where("c.post_level IN ?", t.PostLevels)
	}
	var rows []cadreOrgRow
	if err := q.Order("c.id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cadre.Cadre, len(rows))
	for i, r := range rows {
		out[i] = toCadreWithOrg(r)
	}
	return out, nil
}

// Store must keep satisfying the survey store the training service type-asserts at run time.
var _ training.SurveyStore = (*Store)(nil)
