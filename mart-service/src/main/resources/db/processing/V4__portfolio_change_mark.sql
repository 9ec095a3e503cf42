-- The scheduled portfolio pass reads the staging changes the loads record in mart.changes from a mark
-- of its own, so that it recomputes only the users holding a changed symbol. It starts at 0: the first
-- pass takes in every change so far (V3 recorded '*', so that is every user).
INSERT INTO mart.change_marks (relation) VALUES ('portfolio');
