"""Staff rota pages: generate, preview, publish, and the week and month grids."""


app_name = "rota"

urlpatterns: list = []
