-- Lyrics embedded in a file's tags (ID3 USLT, Vorbis LYRICS, MP4 ©lyr),
-- read by the scan; served with a song's details, never in lists.
ALTER TABLE songs ADD COLUMN lyrics text;
