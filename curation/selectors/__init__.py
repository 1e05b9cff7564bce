"""Read side of curation: picks (visible, current), figures and statistics (the
search's visible set), maps, partner and topic pages."""
