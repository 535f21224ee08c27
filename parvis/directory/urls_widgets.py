app_name = "directory_widgets"
urlpatterns: list = []
