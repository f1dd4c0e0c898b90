{
  "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiY3JlYXRlZCI6IjIwMjYtMTEtMjJUMTI6MDA6MDBaIiwiZW52aXJvbm1lbnQiOnsiam9ibGliIjoiMS42LjAiLCJudW1weSI6IjIuNC42IiwicHl0aG9uIjoiMy4xMS43Iiwic2FmZWxvYWQiOiIwLjEuMCIsInNjaWtpdC1sZWFybiI6IjEuOS4xIn0sImZvcm1hdCI6InBpY2tsZSIsInNpemUiOjU2LCJ2ZXJzaW9uIjoiMS4wLjAifSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vc2FmZWxvYWQuZGV2L21vZGVsLWFydGlmYWN0L3YxIiwic3ViamVjdCI6W3siZGlnZXN0Ijp7InNoYTI1NiI6IjdlZDA2OGEyMTc4MGRmMjVlMDc1OWI2OTlhMzVkNmZiMDJmZTY1NDhjNmE4NGMyMDg0NDExYmY2MDFmODVkMDUifSwibmFtZSI6Im1vZGVsLnBrbCJ9XX0=",
  "payloadType": "application/vnd.in-toto+json",
  "signatures": [
    {
      "keyid": "2f5d2d7ab919ef4bf7c808caf183abfbf7f3b411188c76da8c88ca3467bd393c",
      "sig": "MGYCMQD/DbQMPCaB5+jGv4uY/P4VUerhajuX6xVnKAMEn9V0PUsv606//kY+o3+9+7O+m2kCMQCyM6K3AJLEMQxv5sDmxVYSP6Jzb6+x5ZbvB/o6viYmwR+lppj+ayJpRGRl9FVIBDU="
    }
  ]
}
