"""The database: typed models, opening and checking the file, migrations, backup and the unit of work."""
