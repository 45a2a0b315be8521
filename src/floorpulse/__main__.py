from floorpulse.cli import app

if __name__ == "__main__":  # not when a spawned process (the dashboard's drawing) imports it
    app(prog_name="floorpulse")
