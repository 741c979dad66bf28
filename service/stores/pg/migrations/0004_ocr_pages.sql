-- briefqa schema 4: the pages of a document read by OCR, with the engine's confidence, as
-- [[page, confidence], ...] (empty for a document with a text layer); citations say `ocr: true` from it.
ALTER TABLE briefqa_documents ADD COLUMN ocr_pages jsonb NOT NULL DEFAULT '[]'::jsonb;
