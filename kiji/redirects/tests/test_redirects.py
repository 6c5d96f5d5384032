"""Old addresses answer 301 to where the page lives now; a live page is never hidden by one."""

from django.test import TestCase

from kiji.redirects.models import Redirect


class RedirectTests(TestCase):
    def test_an_old_path_answers_301_instead_of_404(self):
        Redirect.objects.create(old_path="/2011/01/18/hello-world/", new_path="/articles/1/hello-world/")
        response = self.client.get("/2011/01/18/hello-world/")
        self.assertEqual((response.status_code, response["Location"]), (301, "/articles/1/hello-world/"))

    def test_a_wordpress_query_on_the_front_page_answers_301(self):
        Redirect.objects.create(old_path="/?p=12", new_path="/articles/3/")
        self.assertEqual(self.client.get("/?p=12")["Location"], "/articles/3/")
        self.assertEqual(self.client.get("/?p=13").status_code, 200)  # unknown: the home page as before
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_the_cached_home_page_does_not_hide_an_old_query(self):
        Redirect.objects.create(old_path="/?p=12", new_path="/articles/3/")
        self.assertEqual(self.client.get("/").status_code, 200)  # the home page is now in the page cache
        response = self.client.get("/?p=12")
        self.assertEqual((response.status_code, response["Location"]), (301, "/articles/3/"))

    def test_japanese_and_percent_encoded_paths_are_the_same_address(self):
        Redirect.objects.create(old_path="/tag/%E6%94%BF%E6%B2%BB/", new_path="/tags/政治/")
        self.assertEqual(self.client.get("/tag/政治/")["Location"], "/tags/%E6%94%BF%E6%B2%BB/")

    def test_a_live_page_is_never_redirected(self):
        Redirect.objects.create(old_path="/", new_path="/elsewhere/")
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_nothing_but_reads_are_redirected(self):
        Redirect.objects.create(old_path="/old/", new_path="/new/")
        self.assertNotEqual(self.client.post("/old/").status_code, 301)

    def test_a_paged_old_archive_answers_with_its_archives_first_page(self):
        Redirect.objects.create(old_path="/2010/06/", new_path="/archive/2010/06/")
        Redirect.objects.create(old_path="/category/政治/", new_path="/category/politics/")
        for old, new in (
            ("/2010/06/page/2/", "/archive/2010/06/"),
            ("/2010/06/page/2", "/archive/2010/06/"),
            ("/category/%E6%94%BF%E6%B2%BB/page/13/", "/category/politics/"),
        ):
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual((response.status_code, response["Location"]), (301, new))

    def test_a_fresh_site_does_not_answer_wordpress_date_addresses_nor_odd_pages(self):
        Redirect.objects.create(old_path="/2010/06/", new_path="/archive/2010/06/")
        for old in (
            "/2010/",
            "/2010/07/",
            "/2010/06/15/",
            "/2010/07/page/2/",
            "/2010/06/page/two/",
            "/2010/06/page/99999999999999999999/",
            "/2010/06%00/page/2/",
            "/2010/06/%2500/page/2/",
            "/page/2/",
        ):
            with self.subTest(old=old):
                self.assertEqual(self.client.get(old).status_code, 404)


class NginxExportTests(TestCase):
    def test_it_writes_a_map_nginx_can_answer_from(self):
        from io import StringIO

        from django.core.management import call_command

        Redirect.objects.create(old_path="/tag/政治/", new_path="/tags/政治/")
        Redirect.objects.create(old_path="/?p=12", new_path="/articles/3/")
        out = StringIO()
        call_command("redirects", "export", "--nginx", stdout=out)
        text = out.getvalue()
        self.assertIn("map $request_uri $kiji_redirect {", text)
        self.assertIn('"/tag/%E6%94%BF%E6%B2%BB/" "/tags/%E6%94%BF%E6%B2%BB/";', text)
        self.assertIn('"/?p=12" "/articles/3/";', text)
        self.assertTrue(text.rstrip().endswith("}"))
