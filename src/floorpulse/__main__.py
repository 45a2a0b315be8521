from floorpulse.cli import app

app(prog_name="floorpulse")
