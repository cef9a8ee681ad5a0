package exam

import "qualify/internal/platform/batch"

// AnswerSave is one save request: the answer and the device that sent it ("" for none).
type AnswerSave struct {
	Answer
	Device string
}

// newSaveBatcher groups the saves that arrive while earlier ones are being written into one
// store call (see package batch). Two saves of the same answer (attempt, item) never share a
// write: the later one waits for the next, so the seq rule decides between them exactly as it
// would one at a time. Two writers: measured on 2 cores with PostgreSQL alongside, two fewer,
// larger statements beat four (7,950 against 7,610 saves/s, and less PostgreSQL CPU per save).
func newSaveBatcher(s Store) *batch.Batcher[AnswerSave, SaveOutcome] {
	return batch.New(s.SaveAnswers, batch.Options[AnswerSave]{Writers: 2, MaxBatch: 256,
		Key: func(a AnswerSave) any { return [2]int64{a.AttemptID, a.ItemID} }})
}
