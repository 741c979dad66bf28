-- Named entities of each sentence, found at index time: [[start, end, label], ...] with offsets
-- relative to the sentence (the answerer's expected answer types). Builds written before this
-- migration have none.
ALTER TABLE briefqa_sentences ADD COLUMN entities jsonb NOT NULL DEFAULT '[]'::jsonb;
