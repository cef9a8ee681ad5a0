package bank

// Filter narrows a search of the bank (on each item's current version).
type Filter struct {
	Subject        string
	Type           Type
	Status         Status
	Tag            string
	KnowledgePoint string // matches the point and everything below it
	Difficulty     int
	Q              string // substring of the stem; two Chinese characters suffice
	PublishedOnly  bool   // items with a published version, not retired (the pool exams draw from)
	Page, PageSize int
}
