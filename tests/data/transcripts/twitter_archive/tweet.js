window.YTD.tweet.part0 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "26",
              "33"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "33"
      ],
      "favorite_count" : "2",
      "id_str" : "1788285237457850491",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788285237457850491",
      "created_at" : "Wed May 08 19:10:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Q2 What tools do you use? #lgovsm",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "46",
              "53"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Ann Example",
            "screen_name" : "ann_council",
            "indices" : [
              "0",
              "12"
            ],
            "id_str" : "1234567890123456789",
            "id" : "1234567890123456789"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "13",
        "53"
      ],
      "favorite_count" : "2",
      "id_str" : "1788284608312246272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788284608312246272",
      "created_at" : "Wed May 08 19:07:30 +0000 2024",
      "favorited" : false,
      "full_text" : "@ann_council Thanks Ann &amp; welcome back! 😊 #lgovsm",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1788283859628986491",
      "in_reply_to_status_id" : "1788283859628986491",
      "in_reply_to_user_id" : "1234567890123456789",
      "in_reply_to_user_id_str" : "1234567890123456789",
      "in_reply_to_screen_name" : "ann_council"
    }
  }
]