"""People and places: citizen registration, communes, staff accounts and who may see which commune."""
